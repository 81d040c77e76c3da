using System.Collections.Concurrent;
using System.Threading.Channels;

namespace StunTurnTestClient;

/// <summary>How a TURN client talks to its server (the relay itself is always UDP here).</summary>
public enum TurnTransport
{
    Udp,
    Tcp,
}

/// <summary>A relay the TURN server allocated, and the client's address as the server saw it.</summary>
public sealed record TurnAllocation(IPEndPoint Relayed, IPEndPoint Mapped, TimeSpan Lifetime, string Realm);

/// <summary>
/// A small TURN client (RFC 5766 / RFC 8656) over UDP (retransmitting on timeout, RFC 5389 §7.2.1) or TCP
/// (STUN messages back to back, §7.2.2). It authenticates with the long-term credential mechanism: a request
/// without credentials draws 401 with REALM and NONCE, and later requests carry USERNAME, REALM, NONCE and
/// MESSAGE-INTEGRITY keyed with MD5(username ":" realm ":" password).
/// </summary>
public sealed class TurnClient : IAsyncDisposable
{
    /// <summary>RFC 5389 §7.2.1: RTO 500 ms doubling, 7 transmissions, then 16 × RTO; 39.5 s in all (also Ti over TCP).</summary>
    private static readonly TimeSpan InitialRto = TimeSpan.FromMilliseconds(500);
    private const int UdpTransmissions = 7;
    private static readonly TimeSpan LastWait = InitialRto * 16;
    private static readonly TimeSpan TransactionTimeout = TimeSpan.FromSeconds(39.5);

    private readonly Socket _socket;
    private readonly NetworkStream? _stream;
    private readonly Action<string>? _log;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StunMessage>> _pending = new();
    private readonly Channel<StunMessage> _indications = Channel.CreateUnbounded<StunMessage>();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Task _receiving;
    private string? _username;
    private string? _password;
    private string? _realm;
    private string? _nonce;
    private Exception? _receiveFailure;

    private TurnClient(Socket socket, TurnTransport transport, IPEndPoint server, Action<string>? log)
    {
        _socket = socket;
        Transport = transport;
        Server = server;
        _log = log;
        _stream = transport == TurnTransport.Tcp ? new NetworkStream(socket, ownsSocket: false) : null;
        _receiving = Task.Run(ReceiveLoopAsync);
    }

    public TurnTransport Transport { get; }

    public IPEndPoint Server { get; }

    /// <summary>The realm and nonce of the last 401 or 438 challenge.</summary>
    public (string Realm, string Nonce)? Challenge => _realm is null || _nonce is null ? null : (_realm, _nonce);

    /// <summary>Whether the server closed the TCP connection (or receiving failed otherwise).</summary>
    public bool IsClosed => _receiveFailure is not null;

    public static async Task<TurnClient> ConnectAsync(TurnTransport transport, string host, int port, Action<string>? log, CancellationToken cancellationToken)
    {
        var address = IPAddress.TryParse(host, out var literal) ? literal : (await Dns.GetHostAddressesAsync(host, cancellationToken)).First();
        var server = new IPEndPoint(address, port);
        var socket = transport == TurnTransport.Udp
            ? new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp)
            : new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            // A connected UDP socket only receives from the server, and reports ICMP "port unreachable" as errors.
            await socket.ConnectAsync(server, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new TurnClient(socket, transport, server, log);
    }

    /// <summary>
    /// Allocates a UDP relay (REQUESTED-TRANSPORT = 17) with TURN REST API credentials: the first Allocate has no
    /// credentials and is challenged, the second answers the challenge.
    /// </summary>
    /// <exception cref="TurnErrorException">The server refused the allocation (401 for wrong credentials).</exception>
    public async Task<TurnAllocation> AllocateAsync(string username, string password, CancellationToken cancellationToken)
    {
        _username = username;
        _password = password;
        _realm = _nonce = null;
        var response = await AuthenticatedRequestAsync(
            () => StunMessage.Request(StunMethod.Allocate).AddRequestedTransport(ProtocolType.Udp), cancellationToken);
        return new TurnAllocation(
            response.GetXorAddress(StunAttributeType.XorRelayedAddress) ?? throw new InvalidDataException($"The Allocate success response has no XOR-RELAYED-ADDRESS: {response}"),
            response.GetXorAddress(StunAttributeType.XorMappedAddress) ?? throw new InvalidDataException($"The Allocate success response has no XOR-MAPPED-ADDRESS: {response}"),
            TimeSpan.FromSeconds(response.GetUInt32(StunAttributeType.Lifetime) ?? throw new InvalidDataException($"The Allocate success response has no LIFETIME: {response}")),
            _realm!);
    }

    /// <summary>Refreshes the allocation; a lifetime of zero deletes it (RFC 5766 §7). Returns the granted lifetime.</summary>
    public async Task<TimeSpan> RefreshAsync(TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var response = await AuthenticatedRequestAsync(
            () => StunMessage.Request(StunMethod.Refresh).AddUInt32(StunAttributeType.Lifetime, (uint)lifetime.TotalSeconds), cancellationToken);
        return TimeSpan.FromSeconds(response.GetUInt32(StunAttributeType.Lifetime) ?? 0);
    }

    /// <summary>Lets datagrams from <paramref name="peer"/> (any port) reach this client through the relay (RFC 5766 §9).</summary>
    public Task CreatePermissionAsync(IPAddress peer, CancellationToken cancellationToken) =>
        AuthenticatedRequestAsync(
            () => StunMessage.Request(StunMethod.CreatePermission).AddXorAddress(StunAttributeType.XorPeerAddress, new IPEndPoint(peer, 0)), cancellationToken);

    /// <summary>Has the relay send <paramref name="data"/> to <paramref name="peer"/> (a Send indication, RFC 5766 §10).</summary>
    public Task SendToPeerAsync(IPEndPoint peer, byte[] data, CancellationToken cancellationToken)
    {
        var indication = StunMessage.Indication(StunMethod.Send).AddXorAddress(StunAttributeType.XorPeerAddress, peer).Add(StunAttributeType.Data, data);
        return SendAsync(indication, indication.Encode(fingerprint: true), cancellationToken);
    }

    /// <summary>The next datagram a peer sent to the relay (a Data indication, RFC 5766 §10.4).</summary>
    public async Task<(IPEndPoint Peer, byte[] Data)> ReceiveFromPeerAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var indication = await _indications.Reader.ReadAsync(wait.Token);
                if (indication.Method == StunMethod.Data
                    && indication.GetXorAddress(StunAttributeType.XorPeerAddress) is { } peer
                    && indication.Get(StunAttributeType.Data) is { } data)
                {
                    return (peer, data.Value);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No Data indication reached the {Transport} client within {timeout}.");
        }
    }

    /// <summary>Sends a request and returns the response to it, checking MESSAGE-INTEGRITY and FINGERPRINT when present.</summary>
    public async Task<StunMessage> RequestAsync(StunMessage request, byte[]? integrityKey, CancellationToken cancellationToken)
    {
        if (_receiveFailure is not null)
        {
            throw new IOException($"The {Transport} connection to {Server} is closed: {_receiveFailure.Message}", _receiveFailure);
        }

        var bytes = request.Encode(integrityKey, fingerprint: true);
        var answer = new TaskCompletionSource<StunMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[request.TransactionKey] = answer;
        try
        {
            StunMessage response;
            if (Transport == TurnTransport.Tcp)
            {
                // TCP is reliable: one transmission, and Ti = 39.5 s for the answer.
                await SendAsync(request, bytes, cancellationToken);
                response = await WaitAsync(answer.Task, TransactionTimeout, cancellationToken)
                    ?? throw new TimeoutException($"No answer to {request} from {Server} over TCP within {TransactionTimeout}.");
            }
            else
            {
                response = await RetransmitAsync(request, bytes, answer.Task, cancellationToken);
            }

            if (response.HasValidFingerprint() == false)
            {
                throw new InvalidDataException($"The FINGERPRINT of {response} does not match.");
            }

            if (integrityKey is not null && response.HasValidIntegrity(integrityKey) == false)
            {
                throw new InvalidDataException($"The MESSAGE-INTEGRITY of {response} does not match the long-term key.");
            }

            return response;
        }
        finally
        {
            _pending.TryRemove(request.TransactionKey, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        try
        {
            await _receiving;
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException or IOException)
        {
        }

        _stream?.Dispose();
        _stop.Dispose();
        _writeLock.Dispose();
    }

    private async Task<StunMessage> AuthenticatedRequestAsync(Func<StunMessage> create, CancellationToken cancellationToken)
    {
        if (_username is null || _password is null)
        {
            throw new InvalidOperationException("Allocate first: it supplies the credentials.");
        }

        // At most: unauthenticated → 401, authenticated → 438 Stale Nonce, authenticated again.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var request = create();
            byte[]? key = null;
            if (_realm is not null && _nonce is not null)
            {
                request.AddString(StunAttributeType.Username, _username)
                    .AddString(StunAttributeType.Realm, _realm)
                    .AddString(StunAttributeType.Nonce, _nonce);
                key = StunMessage.LongTermKey(_username, _realm, _password);
            }

            var response = await RequestAsync(request, key, cancellationToken);
            if (response.Class == StunClass.SuccessResponse)
            {
                return response;
            }

            var (code, reason) = response.GetError() ?? throw new InvalidDataException($"An error response without ERROR-CODE: {response}");
            var challenged = (code == 401 && key is null) || code == 438;
            if (challenged && response.GetString(StunAttributeType.Realm) is { } realm && response.GetString(StunAttributeType.Nonce) is { } nonce)
            {
                _realm = realm;
                _nonce = nonce;
                continue;
            }

            throw new TurnErrorException(StunMethod.Name(request.Method), code, reason);
        }

        throw new InvalidOperationException("The TURN server kept challenging the request.");
    }

    private async Task<StunMessage> RetransmitAsync(StunMessage request, byte[] bytes, Task<StunMessage> answer, CancellationToken cancellationToken)
    {
        var rto = InitialRto;
        for (var transmission = 1; transmission <= UdpTransmissions; transmission++)
        {
            if (transmission > 1)
            {
                _log?.Invoke($"turn {Transport}: no answer to {request} within {rto / 2}, retransmitting ({transmission}/{UdpTransmissions})");
            }

            await SendAsync(request, bytes, cancellationToken);
            var wait = transmission == UdpTransmissions ? LastWait : rto;
            if (await WaitAsync(answer, wait, cancellationToken) is { } response)
            {
                return response;
            }

            rto *= 2;
        }

        throw new TimeoutException($"No answer to {request} from {Server} over UDP after {UdpTransmissions} transmissions ({TransactionTimeout}).");
    }

    private static async Task<StunMessage?> WaitAsync(Task<StunMessage> answer, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await answer.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    private async Task SendAsync(StunMessage message, byte[] bytes, CancellationToken cancellationToken)
    {
        _log?.Invoke($"turn {Transport} → {message}");
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            if (_stream is not null)
            {
                await _stream.WriteAsync(bytes, cancellationToken);
            }
            else
            {
                await _socket.SendAsync(bytes, SocketFlags.None, cancellationToken);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var token = _stop.Token;
        var buffer = new byte[65536];
        try
        {
            while (!token.IsCancellationRequested)
            {
                byte[] bytes;
                if (_stream is not null)
                {
                    bytes = await ReadFramedAsync(_stream, token);
                    if (bytes.Length == 0)
                    {
                        continue;
                    }
                }
                else
                {
                    int received;
                    try
                    {
                        received = await _socket.ReceiveAsync(buffer, SocketFlags.None, token);
                    }
                    catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
                    {
                        // ICMP port unreachable for an earlier datagram: nothing listens (yet); retransmission goes on.
                        _log?.Invoke($"turn {Transport}: {ex.SocketErrorCode} from {Server}");
                        continue;
                    }

                    bytes = buffer.AsSpan(0, received).ToArray();
                }

                Dispatch(bytes);
            }
        }
        catch (Exception ex) when (token.IsCancellationRequested && ex is OperationCanceledException or ObjectDisposedException or SocketException or IOException)
        {
        }
        catch (Exception ex)
        {
            _log?.Invoke($"turn {Transport}: receiving stopped: {ex.Message}");
            _receiveFailure = ex;
            foreach (var pending in _pending.Values)
            {
                pending.TrySetException(ex);
            }

            _indications.Writer.TryComplete(ex);
        }
    }

    /// <summary>
    /// Over TCP, STUN messages follow each other with no framing but their own length (RFC 5389 §7.2.2).
    /// ChannelData messages (RFC 5766 §11.5, first two bits 01) are read past: this client binds no channels.
    /// </summary>
    private static async Task<byte[]> ReadFramedAsync(Stream stream, CancellationToken cancellationToken)
    {
        var start = new byte[4];
        await stream.ReadExactlyAsync(start, cancellationToken);
        var length = BinaryPrimitives.ReadUInt16BigEndian(start.AsSpan(2));
        if ((start[0] & 0xC0) == 0x40)
        {
            var skipped = new byte[(length + 3) & ~3];
            await stream.ReadExactlyAsync(skipped, cancellationToken);
            return [];
        }

        var message = new byte[StunMessage.HeaderLength + length];
        start.CopyTo(message, 0);
        await stream.ReadExactlyAsync(message.AsMemory(4), cancellationToken);
        return message;
    }

    private void Dispatch(byte[] bytes)
    {
        StunMessage message;
        try
        {
            message = StunMessage.Decode(bytes);
        }
        catch (InvalidDataException ex)
        {
            _log?.Invoke($"turn {Transport}: ignored {bytes.Length} bytes: {ex.Message}");
            return;
        }

        _log?.Invoke($"turn {Transport} ← {message}");
        if (message.Class is StunClass.SuccessResponse or StunClass.ErrorResponse)
        {
            // A late answer to a retransmission finds no pending transaction and is dropped.
            if (_pending.TryGetValue(message.TransactionKey, out var answer))
            {
                answer.TrySetResult(message);
            }
        }
        else if (message.Class == StunClass.Indication)
        {
            _indications.Writer.TryWrite(message);
        }
    }
}
