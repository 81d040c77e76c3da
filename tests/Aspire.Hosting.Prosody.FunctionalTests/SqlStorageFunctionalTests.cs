using System.Data.Common;
using System.Diagnostics;
using static Aspire.Prosody.Client.XmppNamespaces;
using static XmppTestClient.XmppTestNamespaces;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// SQL storage, run for real: Prosody against PostgreSQL (WithPostgres) and against MariaDB through the MySQL driver
/// (WithSqlDatabase), with the rows read back from the database by the test.
/// </summary>
public class SqlStorageFunctionalTests
{
    private const string Domain = "chat.dev.localhost";
    private const string Alice = "alice@chat.dev.localhost";
    private const string Bob = "bob@chat.dev.localhost";

    [Fact]
    [RequiresContainers(ContainerImage.Prosody, ContainerImage.Postgres)]
    public Task OnPostgreSqlAccountsRostersOfflineMessagesAndTheArchiveAreRowsInTheDatabaseAndOutliveTheProsodyContainer() =>
        RowsLandInTheDatabaseAndOutliveTheProsodyContainerAsync(SqlServerKind.PostgreSql);

    [Fact]
    [RequiresContainers(ContainerImage.Prosody, ContainerImage.MariaDb)]
    public Task OnMariaDbThroughTheMySqlDriverAccountsRostersOfflineMessagesAndTheArchiveAreRowsInTheDatabaseAndOutliveTheProsodyContainer() =>
        RowsLandInTheDatabaseAndOutliveTheProsodyContainerAsync(SqlServerKind.MariaDb);

    private static async Task RowsLandInTheDatabaseAndOutliveTheProsodyContainerAsync(SqlServerKind kind)
    {
        var runtime = ContainerRuntime.Name;
        var volume = $"prosody-sql-test-{Guid.NewGuid():N}";
        var databasePassword = NewSecret();
        var alicePassword = NewSecret();
        var bobPassword = NewSecret();
        var offlineBody = $"Written while Bob was away {Guid.NewGuid():N}";
        string firstProsodyContainer;
        try
        {
            // First app: alice adds Bob to her roster and writes to him while he is offline; bob never signs in.
            {
                var builder = TestApp.CreateBuilder();
                var chat = builder.AddProsody("chat")
                    .WithUser("alice", builder.AddParameter("alice-password", alicePassword, secret: true))
                    .WithUser("bob", builder.AddParameter("bob-password", bobPassword, secret: true))
                    .WithMessageArchive()
                    .WithTestDatabase(builder, kind, databasePassword, volume);
                await using var app = await builder.StartAsync("chat");
                firstProsodyContainer = app.ContainerIdOf("chat");

                await using (var alice = await chat.Resource.SignInAsync("alice", alicePassword))
                {
                    await alice.AddRosterItemAsync(Bob, "Bob from the database", Cancel);
                    await alice.SendAsync(ChatMessage("offline-1", Bob, offlineBody), Cancel);
                    // The server handles a session's stanzas in order: once the ping is answered, the message is stored (or bounced).
                    await alice.PingAsync(cancellationToken: Cancel);
                    Assert.Null(await TryTakeAsync(alice, m => m.GetStanzaType() == "error"));
                }

                await using var db = await SqlTestDatabases.OpenAsync(kind, (await app.GetConnectionStringAsync("prosodydb", Cancel))!, Cancel);
                var rows = await ProsodyRowsAsync(db, kind);
                var archive = await ArchiveRowsAsync(db, kind);
                TestContext.Current.TestOutputHelper?.WriteLine(string.Join(Environment.NewLine,
                    rows.Select(r => $"prosody: {r.User} {r.Store} {r.Key} ({r.Type})").Concat(archive.Select(r => $"prosodyarchive: {r.User} {r.Store} with '{r.With}' ({r.Type})"))));

                // Both declared accounts are created in the database at start, bob's too although he never signed in.
                // Prosody 13 stores hashed credentials only (internal_hashed): one row per field of the account.
                Assert.Contains(rows, r => r is { Host: Domain, User: "alice", Store: "accounts", Key: "stored_key" });
                Assert.Contains(rows, r => r is { Host: Domain, User: "bob", Store: "accounts", Key: "stored_key" });
                Assert.DoesNotContain(rows, r => r.Store == "accounts" && (r.Value.Contains(alicePassword, StringComparison.Ordinal) || r.Value.Contains(bobPassword, StringComparison.Ordinal)));

                // A roster is a key-value store: one row per contact, the item as JSON.
                var rosterItem = Assert.Single(rows, r => r is { Host: Domain, User: "alice", Store: "roster", Key: Bob });
                Assert.Equal("json", rosterItem.Type);
                Assert.Contains("Bob from the database", rosterItem.Value, StringComparison.Ordinal);

                // Offline messages and the message archive are archive stores: rows of prosodyarchive.
                var offline = Assert.Single(archive, r => r is { Host: Domain, User: "bob", Store: "offline" });
                Assert.Contains(offlineBody, offline.Value, StringComparison.Ordinal);
                Assert.Contains(archive, r => r is { Host: Domain, User: "alice", Store: "archive", With: Bob } && r.Value.Contains(offlineBody, StringComparison.Ordinal));
                Assert.Contains(archive, r => r is { Host: Domain, User: "bob", Store: "archive", With: Alice } && r.Value.Contains(offlineBody, StringComparison.Ordinal));
            }

            // Second app: a new Prosody container on the same database (kept in the volume). It declares neither alice nor
            // bob, so their accounts, the roster, the offline message and the archive can only come from the database.
            {
                var builder = TestApp.CreateBuilder();
                var chat = builder.AddProsody("chat").WithMessageArchive().WithTestDatabase(builder, kind, databasePassword, volume);
                await using var app = await builder.StartAsync("chat");
                Assert.NotEqual(firstProsodyContainer, app.ContainerIdOf("chat"));

                await using var alice = await chat.Resource.SignInAsync("alice", alicePassword);
                Assert.Equal("Bob from the database", Assert.Single(await alice.GetRosterAsync(Cancel), item => item.Jid == Bob).Name);

                await using var bob = await chat.Resource.SignInAsync("bob", bobPassword);
                await bob.SendPresenceAsync(cancellationToken: Cancel);
                var delivered = await bob.WaitForMessageAsync(m => m.GetBody() == offlineBody, StanzaTimeout, Cancel);
                Assert.True(delivered.IsFrom(Alice));
                Assert.NotNull(delivered.Element(Delay + "delay"));

                var archived = await QueryArchiveAsync(bob);
                Assert.Contains(archived, m => m.GetBody() == offlineBody && m.IsFrom(Alice));

                // Delivered offline messages are deleted from the database.
                await using var db = await SqlTestDatabases.OpenAsync(kind, (await app.GetConnectionStringAsync("prosodydb", Cancel))!, Cancel);
                await WaitUntilAsync(async () => !(await ArchiveRowsAsync(db, kind)).Any(r => r is { User: "bob", Store: "offline" }), "bob's offline message to leave the database");
            }
        }
        finally
        {
            ContainerRuntime.Run(runtime, "volume", "rm", "--force", volume);
        }
    }

    [Fact]
    [RequiresContainers(ContainerImage.Prosody, ContainerImage.Postgres)]
    public async Task WhenPostgreSqlRestartsMidConversationProsodyRecoversWithoutRestartingAndLosesNoMessageItAccepted()
    {
        var runtime = ContainerRuntime.Name;
        var alicePassword = NewSecret();
        var bobPassword = NewSecret();
        var builder = TestApp.CreateBuilder();
        var chat = builder.AddProsody("chat")
            .WithUser("alice", builder.AddParameter("alice-password", alicePassword, secret: true))
            .WithUser("bob", builder.AddParameter("bob-password", bobPassword, secret: true))
            .WithMessageArchive()
            .WithTestDatabase(builder, SqlServerKind.PostgreSql, NewSecret(), dataVolume: null);
        await using var app = await builder.StartAsync("chat");

        // Storage can block the whole server while it waits for the database: allow for slow answers.
        var slowOptions = chat.Resource.ClientOptions("alice", alicePassword) with { Timeout = TimeSpan.FromMinutes(2) };
        await using var alice = await XmppClient.ConnectAsync(slowOptions, Cancel);
        var prosodyContainer = app.ContainerIdOf("chat");
        var prosodyStartedAt = StartedAt(runtime, prosodyContainer);
        var postgresContainer = app.ContainerIdOf("postgres");

        // The conversation starts while both are online...
        {
            await using var bob = await chat.Resource.SignInAsync("bob", bobPassword);
            await bob.SendPresenceAsync(cancellationToken: Cancel);
            await alice.SendAsync(ChatMessage("live-1", Bob, "Are you there?"), Cancel);
            Assert.Equal("Are you there?", (await bob.WaitForMessageAsync(m => m.GetBody() is not null, StanzaTimeout, Cancel)).GetBody());
        }

        // ...and goes on while bob is offline, so that every message needs the database: Prosody stores it for bob
        // (mod_offline) or answers it with an error. "Accepted" is defined from the sender's side: a message is accepted
        // when the server does not bounce it (no <message type='error'/> with its id reaches alice before the answer to
        // the ping sent right after it), so alice has every reason to believe bob will get it. "Lost" is an accepted
        // message that bob never receives.
        var sent = new List<string>();
        var accepted = new List<string>();
        var bounced = new List<string>();
        var uptimeBefore = await UptimeAsync(alice);
        var clock = Stopwatch.StartNew();

        async Task<bool> SendAsync(string phase)
        {
            var id = $"{phase}-{sent.Count + 1}";
            sent.Add(id);
            await alice.SendAsync(ChatMessage(id, Bob, $"Message {id}"), Cancel);
            // Prosody handles a session's stanzas in order, so a bounce arrives before the answer to this ping.
            await alice.PingAsync(cancellationToken: Cancel);
            var error = await TryTakeAsync(alice, m => m.GetStanzaType() == "error" && (string?)m.Attribute("id") == id);
            (error is null ? accepted : bounced).Add(id);
            TestContext.Current.TestOutputHelper?.WriteLine($"{clock.Elapsed} {id} {(error is null ? "accepted" : $"bounced: {error}")}");
            return error is null;
        }

        Assert.True(await SendAsync("before"), "With the database up, a message to an offline contact is stored, not bounced.");

        // The database goes down (the same container is stopped, then started again)...
        var (stopExitCode, stopOutput) = ContainerRuntime.Run(runtime, "stop", "--time", "30", postgresContainer);
        Assert.True(stopExitCode == 0, stopOutput);
        for (var i = 0; i < 3; i++)
        {
            await SendAsync("down");
        }

        // ...and starts again while alice keeps writing, until three messages in a row are accepted after it is back.
        var start = Task.Run(() => ContainerRuntime.Run(runtime, "start", postgresContainer), Cancel);
        for (var acceptedSinceStart = 0; acceptedSinceStart < 3;)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(4), $"Prosody did not accept messages again after the database restarted; bounced: {string.Join(", ", bounced)}.");
            var started = start.IsCompleted;
            if (await SendAsync(started ? "after" : "restarting"))
            {
                acceptedSinceStart = started ? acceptedSinceStart + 1 : 0;
            }
            else
            {
                acceptedSinceStart = 0;
                await Task.Delay(TimeSpan.FromMilliseconds(250), Cancel); // paces the conversation while the database starts
            }
        }

        var (startExitCode, startOutput) = await start;
        Assert.True(startExitCode == 0, startOutput);

        // The outage was real: Prosody could not store what alice sent while the database was down, and said so.
        Assert.Contains(bounced, id => id.StartsWith("down-", StringComparison.Ordinal));
        Assert.Equal(sent.Count, accepted.Count + bounced.Count);

        // No accepted message is lost: bob, back online, receives every one of them from offline storage.
        await using (var bob = await chat.Resource.SignInAsync("bob", bobPassword))
        {
            await bob.SendPresenceAsync(cancellationToken: Cancel);
            foreach (var id in accepted)
            {
                var delivered = await bob.WaitForMessageAsync(m => (string?)m.Attribute("id") == id, StanzaTimeout, Cancel);
                Assert.Equal($"Message {id}", delivered.GetBody());
            }

            // The archive works again too. (mod_mam does not bounce a message it failed to archive, so only messages sent
            // while the database was up are sure to be archived.)
            var archived = await QueryArchiveAsync(bob);
            Assert.All(accepted.Where(id => id.StartsWith("before-", StringComparison.Ordinal) || id.StartsWith("after-", StringComparison.Ordinal)),
                id => Assert.Contains(archived, m => (string?)m.Attribute("id") == id));
        }

        // Prosody itself never restarted: alice's session lived through it, the same container runs since before,
        // and the server's uptime covers the whole outage.
        Assert.True(alice.IsConnected);
        var uptimeAfter = await UptimeAsync(alice);
        Assert.True(uptimeAfter >= uptimeBefore + clock.Elapsed - TimeSpan.FromSeconds(2), $"Uptime {uptimeAfter} after {clock.Elapsed}, was {uptimeBefore}.");
        Assert.Equal(prosodyContainer, app.ContainerIdOf("chat"));
        Assert.Equal(prosodyStartedAt, StartedAt(runtime, prosodyContainer));
    }

    private static XElement ChatMessage(string id, string to, string body) =>
        new(XmppNamespaces.Client + "message",
            new XAttribute("to", to), new XAttribute("type", "chat"), new XAttribute("id", id),
            new XElement(XmppNamespaces.Client + "body", body));

    /// <summary>Takes a stanza that has already arrived, or returns null without waiting.</summary>
    private static async Task<XElement?> TryTakeAsync(XmppClient client, Func<XElement, bool> predicate)
    {
        try
        {
            return await client.WaitForMessageAsync(predicate, TimeSpan.FromMilliseconds(1), Cancel);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>The messages of the user's archive (XEP-0313), unwrapped.</summary>
    private static async Task<IReadOnlyList<XElement>> QueryArchiveAsync(XmppClient client)
    {
        var queryId = Guid.NewGuid().ToString("N");
        await client.SendIqAsync(new XElement(XmppNamespaces.Client + "iq", new XAttribute("type", "set"),
            new XElement(Mam + "query", new XAttribute("queryid", queryId))), Cancel);

        // The server sends every result before the answer to the query, so they have all arrived now.
        var messages = new List<XElement>();
        while (await TryTakeAsync(client, m => (string?)m.Element(Mam + "result")?.Attribute("queryid") == queryId) is { } result)
        {
            messages.Add(result.Element(Mam + "result")!.Element(Forward + "forwarded")!.Element(XmppNamespaces.Client + "message")!);
        }

        return messages;
    }

    private static async Task<TimeSpan> UptimeAsync(XmppClient client)
    {
        var result = await client.SendIqAsync(new XElement(XmppNamespaces.Client + "iq", new XAttribute("type", "get"), new XAttribute("to", Domain),
            new XElement(LastActivity + "query")), Cancel);
        return TimeSpan.FromSeconds((int)result.Element(LastActivity + "query")!.Attribute("seconds")!);
    }

    private static string StartedAt(string runtime, string container)
    {
        var (exitCode, output) = ContainerRuntime.Run(runtime, "inspect", "--format", "{{.State.StartedAt}}", container);
        Assert.True(exitCode == 0, output);
        return output.Trim();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < StanzaTimeout, $"Timed out waiting for {what}.");
            await Task.Delay(TimeSpan.FromMilliseconds(200), Cancel);
        }
    }

    private static string NewSecret() => Convert.ToHexString(RandomNumberGenerator.GetBytes(12));

    private sealed record ProsodyRow(string Host, string User, string Store, string Key, string Type, string Value);

    private sealed record ArchiveRow(string Host, string User, string Store, string Key, long When, string With, string Type, string Value);

    private static async Task<List<ProsodyRow>> ProsodyRowsAsync(DbConnection db, SqlServerKind kind)
    {
        var rows = new List<ProsodyRow>();
        await using var command = db.CreateCommand();
        command.CommandText = $"SELECT {Columns(kind, "host", "user", "store", "key", "type", "value")} FROM {Quote(kind, "prosody")}";
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        while (await reader.ReadAsync(Cancel))
        {
            rows.Add(new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5)));
        }

        return rows;
    }

    private static async Task<List<ArchiveRow>> ArchiveRowsAsync(DbConnection db, SqlServerKind kind)
    {
        var rows = new List<ArchiveRow>();
        await using var command = db.CreateCommand();
        command.CommandText = $"SELECT {Columns(kind, "host", "user", "store", "key", "when", "with", "type", "value")} FROM {Quote(kind, "prosodyarchive")} ORDER BY {Quote(kind, "sort_id")}";
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        while (await reader.ReadAsync(Cancel))
        {
            rows.Add(new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), Convert.ToInt64(reader.GetValue(4)),
                reader.GetString(5), reader.GetString(6), reader.GetString(7)));
        }

        return rows;
    }

    // Prosody's column names (user, key, when, with...) are reserved words: quote them as each server does.
    private static string Quote(SqlServerKind kind, string name) => kind == SqlServerKind.PostgreSql ? $"\"{name}\"" : $"`{name}`";

    private static string Columns(SqlServerKind kind, params string[] names) => string.Join(", ", names.Select(n => Quote(kind, n)));
}
