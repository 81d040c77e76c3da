using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Aspire.Hosting.Prosody.Turn;

/// <summary>
/// Sends a STUN Binding request (RFC 5389) over TCP and expects a Binding success response: the TURN server
/// is answering its protocol, not just accepting connections.
/// </summary>
internal static class StunBindingProbe
{
    private const uint MagicCookie = 0x2112A442;

    public static async Task<string?> ProbeAsync(string host, int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            await using var stream = client.GetStream();
            var request = new byte[20];
            BinaryPrimitives.WriteUInt16BigEndian(request, 0x0001); // Binding request
            BinaryPrimitives.WriteUInt32BigEndian(request.AsSpan(4), MagicCookie);
            RandomNumberGenerator.Fill(request.AsSpan(8, 12));
            await stream.WriteAsync(request, cancellationToken).ConfigureAwait(false);

            var header = new byte[20];
            await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
            var type = BinaryPrimitives.ReadUInt16BigEndian(header);
            if (!header.AsSpan(8, 12).SequenceEqual(request.AsSpan(8, 12)))
            {
                return "The TURN server answered a different transaction.";
            }

            return type == 0x0101 ? null : $"The TURN server answered the Binding request with message type 0x{type:x4}.";
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return $"No STUN answer from {host}:{port}: {ex.Message}";
        }
    }
}
