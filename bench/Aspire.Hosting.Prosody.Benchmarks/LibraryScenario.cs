using System.Text.Json;
using Aspire.Prosody.Client;

namespace Aspire.Hosting.Prosody.Benchmarks;

/// <summary>
/// (i) The client library: Aspire.Prosody.Client against xmpp.js (Node.js), an independent client from another
/// ecosystem, on the same Prosody in the same run, rounds alternating which goes first. Each round: N accounts sign in
/// at once (STARTTLS with the certificate validated, SCRAM-SHA-1, bind), each sends presence, then M messages of
/// about 1 KiB to the next account in a ring, timed until every one has arrived; and the client process's memory per
/// connection once all are signed in.
/// </summary>
internal sealed class LibraryScenario(BenchmarkOptions options, Scenarios scenarios)
{
    private const int MessagesPerClient = 25;

    public async Task RunAsync()
    {
        // 50 by default: xmpp.js spends about 2 s of its one thread on each SCRAM sign-in, so 200 would take minutes a round.
        var clients = Math.Min(options.Clients, 50);
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(10 + (4 * options.Runs)));
        var work = Directory.CreateTempSubdirectory("prosody-bench-library-");
        using var authority = new TestCertificateAuthority();
        var (rootPath, certificatePath, keyPath) = authority.WriteFiles("chat.dev.localhost", work);
        var builder = scenarios.CreateBuilder();
        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        var password = builder.AddParameter("load-password", secret, secret: true);
        var chat = builder.AddProsody("chat").WithLoadUsers(clients, password).WithCertificate(certificatePath, keyPath);
        await using var app = await builder.BuildAsync(limit.Token);
        await app.StartAsync(limit.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("chat", limit.Token);
        var host = chat.Resource.PrimaryEndpoint.Host;
        var port = chat.Resource.PrimaryEndpoint.Port;
        var xmppJs = XmppJs.Prepare();

        Console.WriteLine($"  (i) {clients} clients, {MessagesPerClient} messages each; .NET {Environment.Version}, Node.js {XmppJs.NodeVersion()}");
        if (options.Warmup)
        {
            Console.WriteLine("  (i) warm-up round of each (not counted)…");
            await RunDotNetAsync(host, port, secret, clients, authority.Certificate, limit.Token);
            await xmppJs.RunAsync(host, port, "chat.dev.localhost", secret, clients, MessagesPerClient, rootPath, limit.Token);
        }

        var ours = new List<LibraryRound>();
        var theirs = new List<LibraryRound>();
        for (var round = 1; round <= options.Runs; round++)
        {
            async Task Ours() => ours.Add(await RunDotNetAsync(host, port, secret, clients, authority.Certificate, limit.Token));
            async Task Theirs() => theirs.Add(await xmppJs.RunAsync(host, port, "chat.dev.localhost", secret, clients, MessagesPerClient, rootPath, limit.Token));
            if (round % 2 == 1)
            {
                await Ours();
                await Theirs();
            }
            else
            {
                await Theirs();
                await Ours();
            }

            Console.WriteLine($"  (i) round {round}: Aspire.Prosody.Client {ours[^1]}; xmpp.js {theirs[^1]}");
        }

        await app.StopAsync(CancellationToken.None);
        Summarize(ours, theirs, clients);
    }

    private static async Task<LibraryRound> RunDotNetAsync(string host, int port, string password, int clients, X509Certificate2 root, CancellationToken cancellationToken)
    {
        var received = 0;
        var allReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sessions = new List<XmppClient>();
        var before = ManagedBytes();
        var residentBefore = Environment.WorkingSet;
        for (var i = 0; i < clients; i++)
        {
            var options = new XmppClientOptions
            {
                Host = host,
                Port = port,
                Domain = "chat.dev.localhost",
                Username = ChatLoad.UserName(i),
                Password = password,
                Resource = "bench",
                MaxReconnectAttempts = 0,
            };
            options.TrustedCertificates.Add(root);
            sessions.Add(new XmppClient(options));
        }

        var signIn = Stopwatch.StartNew();
        await Task.WhenAll(sessions.Select(s => s.ConnectAsync(cancellationToken)));
        var signInSeconds = signIn.Elapsed.TotalSeconds;
        var connected = ManagedBytes();
        var residentConnected = Environment.WorkingSet;
        await Task.WhenAll(sessions.Select(s => s.SendPresenceAsync(cancellationToken: cancellationToken)));

        var readers = sessions.Select(s => Task.Run(async () =>
        {
            await foreach (var _ in s.ReceiveMessagesAsync(cancellationToken))
            {
                if (Interlocked.Increment(ref received) == clients * MessagesPerClient)
                {
                    allReceived.TrySetResult();
                }
            }
        }, cancellationToken)).ToList();
        var send = Stopwatch.StartNew();
        await Task.WhenAll(sessions.Select(async (s, i) =>
        {
            var to = Jid.Parse($"{ChatLoad.UserName((i + 1) % clients)}@chat.dev.localhost");
            for (var n = 0; n < MessagesPerClient; n++)
            {
                await s.SendMessageAsync(to, $"message {n} from {i} ".PadRight(1024, 'x'), cancellationToken: cancellationToken);
            }
        }));
        await allReceived.Task.WaitAsync(cancellationToken);
        var messageSeconds = send.Elapsed.TotalSeconds;

        await Task.WhenAll(sessions.Select(s => s.DisposeAsync().AsTask()));
        return new(clients / signInSeconds, clients * MessagesPerClient / messageSeconds, (connected - before) / (double)clients, (residentConnected - residentBefore) / (double)clients);
    }

    private static long ManagedBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private void Summarize(List<LibraryRound> ours, List<LibraryRound> theirs, int clients)
    {
        string Cell(IEnumerable<double> values, string format) => Statistics.Summary(values, v => v.ToString(format, CultureInfo.InvariantCulture));
        double Median(IEnumerable<double> values) => Statistics.Median(values.ToList());
        Console.WriteLine();
        Console.WriteLine($"(i) client library, {clients} clients × {MessagesPerClient} messages, {options.Runs} rounds; median [min – max]:");
        Console.WriteLine($"    {"",-24} {"sign-ins/s",-24} {"messages/s",-24} {"KiB heap per connection",-26} {"KiB resident per connection",-26}");
        Console.WriteLine($"    {"Aspire.Prosody.Client",-24} {Cell(ours.Select(r => r.LoginsPerSecond), "0.0"),-24} {Cell(ours.Select(r => r.MessagesPerSecond), "0"),-24} {Cell(ours.Select(r => r.BytesPerConnection / 1024), "0.0"),-26} {Cell(ours.Select(r => r.ResidentBytesPerConnection / 1024), "0.0"),-26}");
        Console.WriteLine($"    {"xmpp.js 0.14.0",-24} {Cell(theirs.Select(r => r.LoginsPerSecond), "0.0"),-24} {Cell(theirs.Select(r => r.MessagesPerSecond), "0"),-24} {Cell(theirs.Select(r => r.BytesPerConnection / 1024), "0.0"),-26} {Cell(theirs.Select(r => r.ResidentBytesPerConnection / 1024), "0.0"),-26}");
        var logins = Median(ours.Select(r => r.LoginsPerSecond)) / Math.Max(Median(ours.Select(r => r.LoginsPerSecond)), Median(theirs.Select(r => r.LoginsPerSecond)));
        var messages = Median(ours.Select(r => r.MessagesPerSecond)) / Math.Max(Median(ours.Select(r => r.MessagesPerSecond)), Median(theirs.Select(r => r.MessagesPerSecond)));
        Console.WriteLine($"    Aspire.Prosody.Client / the faster of the two: sign-ins/s {logins:0.00}, messages/s {messages:0.00}   (aim: at least 0.9 each)");
    }
}

/// <summary>One round of one client library.</summary>
internal sealed record LibraryRound(double LoginsPerSecond, double MessagesPerSecond, double BytesPerConnection, double ResidentBytesPerConnection)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{LoginsPerSecond:0.0} sign-ins/s, {MessagesPerSecond:0} messages/s, {BytesPerConnection / 1024:0.0} KiB heap and {ResidentBytesPerConnection / 1024:0.0} KiB resident per connection");
}

/// <summary>xmpp.js on Node.js, run as a child process per round (bench/xmppjs).</summary>
internal sealed class XmppJs(string directory)
{
    public static XmppJs Prepare()
    {
        var directory = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "xmppjs"));
        if (!Directory.Exists(Path.Combine(directory, "node_modules", "@xmpp", "client")))
        {
            // The lock file pins xmpp.js; npm takes it from the machine's configured registry.
            Run("npm", directory, "ci", "--ignore-scripts", "--no-audit", "--no-fund");
        }

        return new(directory);
    }

    public static string NodeVersion() => Run("node", ".", "--version").Trim();

    public async Task<LibraryRound> RunAsync(string host, int port, string domain, string password, int clients, int messages, string rootPath, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("node", ["--expose-gc", "run.mjs", host, port.ToString(CultureInfo.InvariantCulture), domain, password, clients.ToString(CultureInfo.InvariantCulture), messages.ToString(CultureInfo.InvariantCulture)])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Node validates the server's certificate against its roots plus this file: the same trust as the .NET side.
        start.Environment["NODE_EXTRA_CA_CERTS"] = rootPath;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var line = (await output).Trim().Split('\n').LastOrDefault() ?? "";
        if (process.ExitCode != 0 || !line.StartsWith('{'))
        {
            throw new InvalidOperationException($"xmpp.js failed ({process.ExitCode}): {await errors}{line}");
        }

        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        return new(root.GetProperty("loginsPerSecond").GetDouble(), root.GetProperty("messagesPerSecond").GetDouble(),
            root.GetProperty("bytesPerConnection").GetDouble(), root.GetProperty("residentBytesPerConnection").GetDouble());
    }

    private static string Run(string file, string directory, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed: {errors}");
    }
}
