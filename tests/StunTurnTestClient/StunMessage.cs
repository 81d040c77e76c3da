using System.Security.Cryptography;
using System.Text;

namespace StunTurnTestClient;

/// <summary>The four classes of a STUN message (RFC 5389 §6).</summary>
public enum StunClass
{
    Request = 0,
    Indication = 1,
    SuccessResponse = 2,
    ErrorResponse = 3,
}

/// <summary>The STUN methods this client uses: Binding (RFC 5389) and TURN's (RFC 5766 §13, RFC 8656 §17).</summary>
public static class StunMethod
{
    public const ushort Binding = 0x001;
    public const ushort Allocate = 0x003;
    public const ushort Refresh = 0x004;
    public const ushort Send = 0x006;
    public const ushort Data = 0x007;
    public const ushort CreatePermission = 0x008;

    public static string Name(ushort method) => method switch
    {
        Binding => "Binding",
        Allocate => "Allocate",
        Refresh => "Refresh",
        Send => "Send",
        Data => "Data",
        CreatePermission => "CreatePermission",
        _ => $"0x{method:x3}",
    };
}

/// <summary>The STUN and TURN attribute types this client reads or writes (RFC 5389 §18.2, RFC 5766 §14).</summary>
public static class StunAttributeType
{
    public const ushort Username = 0x0006;
    public const ushort MessageIntegrity = 0x0008;
    public const ushort ErrorCode = 0x0009;
    public const ushort Lifetime = 0x000D;
    public const ushort XorPeerAddress = 0x0012;
    public const ushort Data = 0x0013;
    public const ushort Realm = 0x0014;
    public const ushort Nonce = 0x0015;
    public const ushort XorRelayedAddress = 0x0016;
    public const ushort RequestedTransport = 0x0019;
    public const ushort XorMappedAddress = 0x0020;
    public const ushort Software = 0x8022;
    public const ushort Fingerprint = 0x8028;

    public static string Name(ushort type) => type switch
    {
        Username => "USERNAME",
        MessageIntegrity => "MESSAGE-INTEGRITY",
        ErrorCode => "ERROR-CODE",
        Lifetime => "LIFETIME",
        XorPeerAddress => "XOR-PEER-ADDRESS",
        Data => "DATA",
        Realm => "REALM",
        Nonce => "NONCE",
        XorRelayedAddress => "XOR-RELAYED-ADDRESS",
        RequestedTransport => "REQUESTED-TRANSPORT",
        XorMappedAddress => "XOR-MAPPED-ADDRESS",
        Software => "SOFTWARE",
        Fingerprint => "FINGERPRINT",
        _ => $"0x{type:x4}",
    };
}

/// <summary>One attribute: its type, its value without padding, and where it starts in a decoded message.</summary>
public sealed record StunAttribute(ushort Type, byte[] Value, int Offset = -1);

/// <summary>
/// A STUN message (RFC 5389 §6, §15): a 20-byte header (type, length, magic cookie, 96-bit transaction id) and
/// type-length-value attributes padded to four bytes. <see cref="Encode"/> appends MESSAGE-INTEGRITY and
/// FINGERPRINT; <see cref="Decode"/> keeps the bytes so that both can be checked.
/// </summary>
public sealed class StunMessage
{
    public const int HeaderLength = 20;
    public const uint MagicCookie = 0x2112A442;
    private const uint FingerprintXor = 0x5354554E;
    private const int IntegrityLength = 20;
    private byte[]? _encoded;

    public StunMessage(ushort method, StunClass messageClass, byte[]? transactionId = null)
    {
        if (transactionId is { Length: not 12 })
        {
            throw new ArgumentException("A STUN transaction id has 96 bits.", nameof(transactionId));
        }

        Method = method;
        Class = messageClass;
        TransactionId = transactionId ?? RandomNumberGenerator.GetBytes(12);
    }

    public ushort Method { get; }

    public StunClass Class { get; }

    public byte[] TransactionId { get; }

    public List<StunAttribute> Attributes { get; } = [];

    /// <summary>The transaction id as text, for matching a response to its request.</summary>
    public string TransactionKey => Convert.ToHexString(TransactionId);

    public static StunMessage Request(ushort method) => new(method, StunClass.Request);

    public static StunMessage Indication(ushort method) => new(method, StunClass.Indication);

    /// <summary>The 14-bit message type: method bits M0–M11 interleaved with class bits C0 (bit 4) and C1 (bit 8).</summary>
    public static ushort MessageType(ushort method, StunClass messageClass)
    {
        var c = (int)messageClass;
        return (ushort)((method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2) | ((c & 1) << 4) | ((c & 2) << 7));
    }

    /// <summary>The key of the long-term credential mechanism (RFC 5389 §15.4): MD5(username ":" realm ":" password).</summary>
    public static byte[] LongTermKey(string username, string realm, string password) =>
        MD5.HashData(Encoding.UTF8.GetBytes($"{username}:{realm}:{password}"));

    public StunMessage Add(ushort type, byte[] value)
    {
        Attributes.Add(new StunAttribute(type, value));
        return this;
    }

    public StunMessage AddString(ushort type, string value) => Add(type, Encoding.UTF8.GetBytes(value));

    public StunMessage AddUInt32(ushort type, uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return Add(type, bytes);
    }

    /// <summary>REQUESTED-TRANSPORT (RFC 5766 §14.7): the IANA protocol number, then three reserved bytes.</summary>
    public StunMessage AddRequestedTransport(ProtocolType protocol) => Add(StunAttributeType.RequestedTransport, [(byte)protocol, 0, 0, 0]);

    /// <summary>An XOR-*-ADDRESS attribute (RFC 5389 §15.2): port XOR the cookie's top half, address XOR cookie (and transaction id for IPv6).</summary>
    public StunMessage AddXorAddress(ushort type, IPEndPoint endPoint)
    {
        var address = endPoint.Address.GetAddressBytes();
        var value = new byte[4 + address.Length];
        value[1] = endPoint.AddressFamily == AddressFamily.InterNetwork ? (byte)1 : (byte)2;
        BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(2), (ushort)(endPoint.Port ^ (MagicCookie >> 16)));
        var mask = XorMask();
        for (var i = 0; i < address.Length; i++)
        {
            value[4 + i] = (byte)(address[i] ^ mask[i]);
        }

        return Add(type, value);
    }

    public StunAttribute? Get(ushort type) => Attributes.FirstOrDefault(a => a.Type == type);

    public string? GetString(ushort type) => Get(type) is { } attribute ? Encoding.UTF8.GetString(attribute.Value) : null;

    public uint? GetUInt32(ushort type) => Get(type) is { Value.Length: 4 } attribute ? BinaryPrimitives.ReadUInt32BigEndian(attribute.Value) : null;

    public IPEndPoint? GetXorAddress(ushort type)
    {
        if (Get(type) is not { } attribute)
        {
            return null;
        }

        var value = attribute.Value;
        var length = value.Length >= 4 ? value[1] switch { 1 => 4, 2 => 16, _ => -1 } : -1;
        if (length < 0 || value.Length != 4 + length)
        {
            throw new InvalidDataException($"{StunAttributeType.Name(type)} has an unknown family or a wrong length ({value.Length} bytes).");
        }

        var port = BinaryPrimitives.ReadUInt16BigEndian(value.AsSpan(2)) ^ (MagicCookie >> 16);
        var mask = XorMask();
        var address = new byte[length];
        for (var i = 0; i < length; i++)
        {
            address[i] = (byte)(value[4 + i] ^ mask[i]);
        }

        return new IPEndPoint(new IPAddress(address), (int)port);
    }

    /// <summary>
    /// ERROR-CODE (RFC 5389 §15.6): two reserved bytes, the hundreds digit, the rest of the code, a UTF-8 reason
    /// (coturn 4.6 sends it with its C string terminator, which is dropped here).
    /// </summary>
    public (int Code, string Reason)? GetError() => Get(StunAttributeType.ErrorCode) is { Value.Length: >= 4 } attribute
        ? ((attribute.Value[2] & 0x07) * 100 + attribute.Value[3], Encoding.UTF8.GetString(attribute.Value, 4, attribute.Value.Length - 4).TrimEnd('\0'))
        : null;

    /// <summary>
    /// The message on the wire. With a key, MESSAGE-INTEGRITY is HMAC-SHA1 over the message up to that attribute,
    /// the header's length already counting it (RFC 5389 §15.4); FINGERPRINT is CRC-32 XOR 0x5354554E over the
    /// message up to it, its length counted likewise (§15.5).
    /// </summary>
    public byte[] Encode(byte[]? integrityKey = null, bool fingerprint = false)
    {
        var message = new List<byte>(HeaderLength + Attributes.Sum(a => 4 + Padded(a.Value.Length)) + 32);
        var header = new byte[HeaderLength];
        BinaryPrimitives.WriteUInt16BigEndian(header, MessageType(Method, Class));
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), MagicCookie);
        TransactionId.CopyTo(header, 8);
        message.AddRange(header);
        foreach (var attribute in Attributes)
        {
            AppendAttribute(message, attribute.Type, attribute.Value);
        }

        if (integrityKey is not null)
        {
            var buffer = WithLength(message, message.Count - HeaderLength + 4 + IntegrityLength);
            AppendAttribute(message, StunAttributeType.MessageIntegrity, HMACSHA1.HashData(integrityKey, buffer));
        }

        if (fingerprint)
        {
            var buffer = WithLength(message, message.Count - HeaderLength + 8);
            var value = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(value, Crc32(buffer) ^ FingerprintXor);
            AppendAttribute(message, StunAttributeType.Fingerprint, value);
        }

        return WithLength(message, message.Count - HeaderLength);
    }

    /// <summary>Reads one whole STUN message; throws <see cref="InvalidDataException"/> for anything else.</summary>
    public static StunMessage Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < HeaderLength || (bytes[0] & 0xC0) != 0)
        {
            throw new InvalidDataException($"Not a STUN message: {bytes.Length} bytes starting 0x{(bytes.Length > 0 ? bytes[0] : 0):x2}.");
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(bytes[4..]) != MagicCookie)
        {
            throw new InvalidDataException("The STUN magic cookie is missing.");
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]);
        if (length % 4 != 0 || HeaderLength + length != bytes.Length)
        {
            throw new InvalidDataException($"The STUN header announces {length} bytes of attributes, but {bytes.Length - HeaderLength} arrived.");
        }

        var type = BinaryPrimitives.ReadUInt16BigEndian(bytes);
        var method = (ushort)((type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2));
        var messageClass = (StunClass)(((type >> 4) & 1) | ((type >> 7) & 2));
        var message = new StunMessage(method, messageClass, bytes.Slice(8, 12).ToArray()) { _encoded = bytes.ToArray() };
        var offset = HeaderLength;
        while (offset < bytes.Length)
        {
            if (offset + 4 > bytes.Length)
            {
                throw new InvalidDataException($"A STUN attribute header is cut off at byte {offset}.");
            }

            var attributeType = BinaryPrimitives.ReadUInt16BigEndian(bytes[offset..]);
            var attributeLength = BinaryPrimitives.ReadUInt16BigEndian(bytes[(offset + 2)..]);
            if (offset + 4 + attributeLength > bytes.Length)
            {
                throw new InvalidDataException($"The STUN attribute {StunAttributeType.Name(attributeType)} at byte {offset} runs past the message.");
            }

            message.Attributes.Add(new StunAttribute(attributeType, bytes.Slice(offset + 4, attributeLength).ToArray(), offset));
            offset += 4 + Padded(attributeLength);
        }

        return message;
    }

    /// <summary>Whether MESSAGE-INTEGRITY of a decoded message matches <paramref name="key"/>; null when it has none.</summary>
    public bool? HasValidIntegrity(byte[] key)
    {
        if (_encoded is null || Get(StunAttributeType.MessageIntegrity) is not { } integrity)
        {
            return null;
        }

        var covered = _encoded.AsSpan(0, integrity.Offset).ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(covered.AsSpan(2), (ushort)(integrity.Offset - HeaderLength + 4 + IntegrityLength));
        return CryptographicOperations.FixedTimeEquals(HMACSHA1.HashData(key, covered), integrity.Value);
    }

    /// <summary>Whether FINGERPRINT of a decoded message matches; null when it has none.</summary>
    public bool? HasValidFingerprint()
    {
        if (_encoded is null || Get(StunAttributeType.Fingerprint) is not { Value.Length: 4 } fingerprint)
        {
            return null;
        }

        var covered = _encoded.AsSpan(0, fingerprint.Offset).ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(covered.AsSpan(2), (ushort)(fingerprint.Offset - HeaderLength + 8));
        return (Crc32(covered) ^ FingerprintXor) == BinaryPrimitives.ReadUInt32BigEndian(fingerprint.Value);
    }

    public override string ToString()
    {
        var kind = Class switch
        {
            StunClass.Request => "request",
            StunClass.Indication => "indication",
            StunClass.SuccessResponse => "success",
            _ => "error",
        };
        var error = GetError() is { } e ? $" {e.Code} {e.Reason}" : "";
        return $"{StunMethod.Name(Method)} {kind}{error} [{string.Join(", ", Attributes.Select(a => StunAttributeType.Name(a.Type)))}] tid={TransactionKey[..8]}…";
    }

    /// <summary>CRC-32 as in ISO 3309 / ITU-T V.42 (reflected polynomial 0xEDB88320), which FINGERPRINT uses.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }

    private static int Padded(int length) => (length + 3) & ~3;

    private static void AppendAttribute(List<byte> message, ushort type, byte[] value)
    {
        Span<byte> header = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(header, type);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)value.Length);
        message.AddRange(header);
        message.AddRange(value);
        for (var i = value.Length; i < Padded(value.Length); i++)
        {
            message.Add(0);
        }
    }

    private static byte[] WithLength(List<byte> message, int attributesLength)
    {
        var bytes = message.ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)attributesLength);
        return bytes;
    }

    private byte[] XorMask()
    {
        var mask = new byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(mask, MagicCookie);
        TransactionId.CopyTo(mask, 4);
        return mask;
    }
}

/// <summary>A TURN or STUN request answered with an error response (ERROR-CODE, RFC 5389 §15.6).</summary>
public sealed class TurnErrorException(string request, int code, string reason)
    : Exception($"The TURN server refused {request}: {code} {reason}")
{
    public int Code { get; } = code;

    public string Reason { get; } = reason;
}
