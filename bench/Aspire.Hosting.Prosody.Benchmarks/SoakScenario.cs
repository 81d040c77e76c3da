using System.Collections.Concurrent;
using System.Net;
using System.Xml.Linq;
using StunTurnTestClient;
using XmppTestClient;

namespace Aspire.Hosting.Prosody.Benchmarks;

/// <summary>
/// (h) Soak: 50 clients chat for 20 minutes on PostgreSQL storage with a TURN server while faults are injected:
/// PostgreSQL restarted every tenth of the run, the Prosody process killed twice (SIGKILL, as a crash or an
/// out-of-memory kill would end it; the package's run-mode supervisor must bring it back), coturn stopped once.
/// No human acts: clients reconnect by themselves, and the run counts what the server accepted and what arrived.
/// </summary>
/// <remarks>
/// A message is accepted when the ping its sender sends right after it is answered with no error bounce for it:
/// Prosody handles one session's stanzas in order, so the answer means the message was routed to the recipient's
/// session or stored for it offline. A message whose sender lost its connection before the answer is counted as
/// unconfirmed and is not sent again (a resend could only add duplicates). Every client receives everything, live
/// or, after a reconnect, from offline storage; at the end the run waits until every accepted message has arrived.
/// </remarks>
internal sealed class SoakScenario(BenchmarkOptions options, Scenarios scenarios, string runtime)
{
    private const int Clients = 50;
    private static readonly TimeSpan SendInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan CoturnOutage = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, byte> _accepted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _unconfirmed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _bounced = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _delivered = new(StringComparer.Ordinal);
    private readonly List<FaultRecord> _faults = [];
    private int _sent;
    private int _reconnects;

    public async Task RunAsync()
    {
        var duration = options.SoakDuration;
        using var limit = new CancellationTokenSource(duration + TimeSpan.FromMinutes(10));
        var volume = $"prosody-soak-{Guid.NewGuid():N}";
        var builder = scenarios.CreateBuilder();
        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        var password = builder.AddParameter("soak-password", secret, secret: true);
        var pg = builder.AddPostgres("pg").WithDataVolume(volume);
        // One account more than the chatting clients: the probe that measures downtime signs in as it.
        var chat = builder.AddProsody("chat").WithLoadUsers(Clients + 1, password).WithPostgres(pg.AddDatabase("prosodydb")).WithTurnServer();
        var coturn = builder.Resources.OfType<CoturnResource>().Single();
        try
        {
            await using var app = await builder.BuildAsync(limit.Token);
            await app.StartAsync(limit.Token);
            await app.ResourceNotifications.WaitForResourceHealthyAsync("chat", limit.Token);
            await app.ResourceNotifications.WaitForResourceHealthyAsync(coturn.Name, limit.Token);
            var target = new ChatTarget(chat.Resource.PrimaryEndpoint.Host, chat.Resource.PrimaryEndpoint.Port, chat.Resource.Domain);
            var prosodyContainer = app.ContainerIdOf("chat");
            var clientOptions = new XmppClientOptions { Host = target.Host, Port = target.Port, Domain = target.Domain, Password = secret, Timeout = TimeSpan.FromSeconds(10) };

            Console.WriteLine($"  (h) soak of {duration.TotalMinutes:0} min: {Clients} clients, one message a second each; c2s {target.Host}:{target.Port}");
            var clock = Stopwatch.StartNew();
            using var stopSending = CancellationTokenSource.CreateLinkedTokenSource(limit.Token);
            var chatting = Enumerable.Range(0, Clients).Select(i => ChatAsync(i, clientOptions, stopSending.Token)).ToList();

            foreach (var (at, fault) in Schedule(duration))
            {
                var wait = at - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, limit.Token);
                }

                var record = fault switch
                {
                    "PostgreSQL restart" => await RestartPostgresAsync(app, pg.Resource, clientOptions, clock, limit.Token),
                    "Prosody killed" => await KillProsodyAsync(prosodyContainer, clientOptions, clock, limit.Token),
                    _ => await StopCoturnAsync(app, coturn, clock, limit.Token),
                };
                _faults.Add(record);
                Console.WriteLine($"  (h) {record}; so far sent {_sent}, accepted {_accepted.Count}, reconnects {_reconnects}");
            }

            var remaining = duration - clock.Elapsed;
            if (remaining > TimeSpan.Zero)
            {
                await Task.Delay(remaining, limit.Token);
            }

            await stopSending.CancelAsync();
            // A send in progress finishes within the ping's timeout.
            await Task.Delay(clientOptions.Timeout + TimeSpan.FromSeconds(1), limit.Token);
            var drained = await DrainAsync(limit.Token);
            foreach (var client in chatting)
            {
                await client.Done.CancelAsync();
            }

            await Task.WhenAll(chatting.Select(c => c.Loop));
            // The runner returns standard output and standard error: the wrapper writes its restart lines to either.
            var logs = ContainerProcesses.Checked(ContainerRuntime.Run(runtime, "logs", prosodyContainer));
            var restarts = logs.Split('\n').Count(line => line.Contains("aspire: Prosody stopped unexpectedly", StringComparison.Ordinal));
            Summarize(duration, drained, restarts, logs);
            await app.StopAsync(CancellationToken.None);
        }
        finally
        {
            if (ContainerRuntime.Run(runtime, "volume", "rm", "--force", volume) is { ExitCode: not 0 } failed)
            {
                Console.WriteLine($"  (h) could not remove the volume {volume}: {failed.Output}");
            }
        }
    }

    /// <summary>The faults and their times: PostgreSQL every tenth of the run, Prosody killed at a quarter and at 65 %, coturn at 45 %.</summary>
    private static IEnumerable<(TimeSpan At, string Fault)> Schedule(TimeSpan duration)
    {
        var faults = Enumerable.Range(1, 9).Select(k => (duration * (k / 10.0), "PostgreSQL restart")).ToList();
        faults.Add((duration * 0.25, "Prosody killed"));
        faults.Add((duration * 0.65, "Prosody killed"));
        faults.Add((duration * 0.45, "coturn stopped"));
        return faults.OrderBy(f => f.Item1);
    }

    private sealed record ChattingClient(Task Loop, CancellationTokenSource Done);

    /// <summary>One user: signs in, announces itself (so offline messages arrive), sends to the next user every second, and reconnects when its session ends.</summary>
    private ChattingClient ChatAsync(int index, XmppClientOptions clientOptions, CancellationToken stopSending)
    {
        var done = new CancellationTokenSource();
        var user = ChatLoad.UserName(index);
        var next = $"{ChatLoad.UserName((index + 1) % Clients)}@{clientOptions.Domain}";
        var loop = Task.Run(async () =>
        {
            var sequence = 0;
            var first = true;
            while (!done.IsCancellationRequested)
            {
                XmppClient? client = null;
                try
                {
                    client = await XmppClient.ConnectAsync(clientOptions with { Username = user }, done.Token);
                    if (!first)
                    {
                        Interlocked.Increment(ref _reconnects);
                    }

                    first = false;
                    await client.SendPresenceAsync(cancellationToken: done.Token);
                    var receiving = ReceiveAsync(client, done.Token);
                    while (!stopSending.IsCancellationRequested)
                    {
                        var id = $"{user}-{++sequence}";
                        Interlocked.Increment(ref _sent);
                        try
                        {
                            await client.SendAsync(new XElement(XName.Get("message", "jabber:client"), new XAttribute("to", next), new XAttribute("type", "chat"), new XAttribute("id", id),
                                new XElement(XName.Get("body", "jabber:client"), $"soak {id}")), done.Token);
                            await client.PingAsync(cancellationToken: done.Token);
                            _accepted.TryAdd(id, 0);
                        }
                        catch (Exception ex) when (IsConnectionFailure(ex))
                        {
                            _unconfirmed.TryAdd(id, 0);
                            throw;
                        }

                        await Task.Delay(SendInterval, stopSending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    }

                    // Sending is over; keep receiving (after a reconnect too) until the run has counted everything.
                    await receiving;
                }
                catch (Exception ex) when (IsConnectionFailure(ex) && !done.IsCancellationRequested)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), CancellationToken.None);
                }
                catch (OperationCanceledException) when (done.IsCancellationRequested)
                {
                    return;
                }
                finally
                {
                    if (client is not null)
                    {
                        await client.DisposeAsync();
                    }
                }
            }
        });
        return new(loop, done);
    }

    /// <summary>Counts every chat message that arrives, by the id in its body, and every error bounce, by its stanza id.</summary>
    private async Task ReceiveAsync(XmppClient client, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                XElement message;
                try
                {
                    message = await client.WaitForMessageAsync(null, TimeSpan.FromSeconds(30), cancellationToken);
                }
                catch (TimeoutException)
                {
                    continue;
                }

                if (message.Attribute("type")?.Value == "error")
                {
                    _bounced.TryAdd(message.Attribute("id")?.Value ?? "", 0);
                }
                else if (message.GetBody() is { } body && body.StartsWith("soak ", StringComparison.Ordinal))
                {
                    _delivered.AddOrUpdate(body[5..], 1, (_, count) => count + 1);
                }
            }
        }
        catch (Exception ex) when (ex is XmppException or OperationCanceledException or ObjectDisposedException)
        {
            // The session ended (the caller reconnects) or the run is over.
        }
    }

    /// <summary>Waits until every accepted message has arrived, or 2 minutes pass; true when nothing is missing.</summary>
    private async Task<bool> DrainAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (Accepted().All(_delivered.ContainsKey))
            {
                return true;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }

        return false;
    }

    private IEnumerable<string> Accepted() => _accepted.Keys.Where(id => !_bounced.ContainsKey(id));

    /// <summary>What a session ending under a client looks like: a refused or reset socket, a stream cut mid-element, a timeout.</summary>
    private static bool IsConnectionFailure(Exception ex) =>
        ex is XmppException or TimeoutException or IOException or System.Net.Sockets.SocketException or System.Xml.XmlException or ObjectDisposedException;

    private static async Task<FaultRecord> RestartPostgresAsync(DistributedApplication app, IResource pg, XmppClientOptions probe, Stopwatch clock, CancellationToken cancellationToken)
    {
        var at = clock.Elapsed;
        var result = await app.ResourceCommands.ExecuteCommandAsync(pg, KnownResourceCommands.RestartCommand, cancellationToken);
        if (!result.Success)
        {
            throw new InvalidOperationException($"Restarting PostgreSQL failed: {result.Message}");
        }

        return new("PostgreSQL restart", at, await SignInDowntimeAsync(probe, clock, at, cancellationToken));
    }

    private async Task<FaultRecord> KillProsodyAsync(string containerId, XmppClientOptions probe, Stopwatch clock, CancellationToken cancellationToken)
    {
        var at = clock.Elapsed;
        // The Prosody process inside the container, not the container: what a crash or an out-of-memory kill ends.
        ContainerProcesses.Checked(ContainerRuntime.SignalProsody(runtime, containerId, "KILL"));
        return new("Prosody killed", at, await SignInDowntimeAsync(probe, clock, at, cancellationToken));
    }

    private static async Task<FaultRecord> StopCoturnAsync(DistributedApplication app, CoturnResource coturn, Stopwatch clock, CancellationToken cancellationToken)
    {
        var at = clock.Elapsed;
        var stop = await app.ResourceCommands.ExecuteCommandAsync(coturn, KnownResourceCommands.StopCommand, cancellationToken);
        await Task.Delay(CoturnOutage, cancellationToken);
        var startAt = clock.Elapsed;
        var start = await app.ResourceCommands.ExecuteCommandAsync(coturn, KnownResourceCommands.StartCommand, cancellationToken);
        if (!stop.Success || !start.Success)
        {
            throw new InvalidOperationException($"Stopping or starting coturn failed: {stop.Message} {start.Message}");
        }

        // Downtime after the start command: until a STUN Binding request on the published TURN port is answered again.
        var endpoint = coturn.PrimaryEndpoint;
        while (true)
        {
            try
            {
                await using var turn = await TurnClient.ConnectAsync(TurnTransport.Udp, endpoint.Host, endpoint.Port, null, cancellationToken);
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromSeconds(1));
                await turn.RequestAsync(StunMessage.Request(StunMethod.Binding), null, attempt.Token);
                return new("coturn stopped", at, clock.Elapsed - startAt, $"stopped for {CoturnOutage.TotalSeconds:0} s; downtime counted from the start command");
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(ProbeInterval, cancellationToken);
            }
        }
    }

    /// <summary>From the fault to the first successful fresh sign-in (SCRAM needs the account from storage).</summary>
    private static async Task<TimeSpan> SignInDowntimeAsync(XmppClientOptions probe, Stopwatch clock, TimeSpan at, CancellationToken cancellationToken)
    {
        var options = probe with { Username = ChatLoad.UserName(Clients), Timeout = TimeSpan.FromSeconds(3) };
        // Give the fault a moment to take effect, so the probe does not sign in just before it lands.
        await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        while (true)
        {
            try
            {
                await using var client = await XmppClient.ConnectAsync(options, cancellationToken);
                return clock.Elapsed - at;
            }
            catch (Exception ex) when (IsConnectionFailure(ex))
            {
                await Task.Delay(ProbeInterval, cancellationToken);
            }
        }
    }

    private void Summarize(TimeSpan duration, bool drained, int restarts, string logs)
    {
        var accepted = Accepted().ToList();
        var lost = accepted.Count(id => !_delivered.ContainsKey(id));
        var duplicated = _delivered.Values.Sum(count => count - 1);
        var unconfirmedDelivered = _unconfirmed.Keys.Count(_delivered.ContainsKey);
        var crashes = logs.Split('\n').Where(line => line.Contains("aspire: Prosody stopped unexpectedly", StringComparison.Ordinal)).ToList();
        Console.WriteLine();
        Console.WriteLine($"(h) soak, {duration.TotalMinutes:0} min, {Clients} clients, PostgreSQL storage, TURN; nothing done by hand:");
        Console.WriteLine($"    messages sent {_sent}; accepted {accepted.Count}; delivered {accepted.Count - lost}; lost {lost}; duplicated {duplicated}" +
            $"{(drained ? "" : " (the 2-minute drain ended with messages missing)")}");
        Console.WriteLine($"    not accepted: {_unconfirmed.Count} unconfirmed (the sender's session ended before the server answered; {unconfirmedDelivered} of them arrived anyway), " +
            $"{_bounced.Count} bounced with an error");
        Console.WriteLine($"    client reconnects {_reconnects}; Prosody restarts by the run-mode supervisor {restarts} (2 of them the planned kills)");
        foreach (var crash in crashes)
        {
            Console.WriteLine($"      {crash.Trim()}");
        }

        Console.WriteLine("    downtime per fault (fault → a fresh sign-in succeeds; for coturn, start command → STUN answers):");
        foreach (var group in _faults.GroupBy(f => f.Fault))
        {
            var downtimes = group.Select(f => f.Downtime.TotalSeconds).ToList();
            Console.WriteLine($"      {group.Key,-20} ×{group.Count()}: {Statistics.Summary(downtimes, v => $"{v.ToString("0.0", CultureInfo.InvariantCulture)} s")}{(group.First().Note is { } note ? $" ({note})" : "")}");
        }
    }
}

/// <summary>One injected fault: when, and how long until the service answered again.</summary>
internal sealed record FaultRecord(string Fault, TimeSpan At, TimeSpan Downtime, string? Note = null)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Fault} at {At.TotalMinutes:0.0} min: down {Downtime.TotalSeconds:0.0} s");
}
