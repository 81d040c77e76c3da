using System.Security.Cryptography;
using System.Text;

namespace Aspire.Prosody.Client.Xmpp.Sasl;

/// <summary>
/// SCRAM (RFC 5802) with SHA-1 or SHA-256 (RFC 7677), without channel binding.
/// </summary>
/// <remarks>
/// Exchange: client-first <c>n,,n=user,r=cnonce</c>; server-first <c>r=nonce,s=salt,i=iterations</c>;
/// client-final <c>c=biws,r=nonce,p=proof</c>; server-final <c>v=signature</c>, which we check so that
/// a server that does not know the password cannot pretend to have authenticated us.
/// </remarks>
internal sealed class ScramMechanism : SaslClientMechanism
{
    public static readonly HashAlgorithmName Sha1 = HashAlgorithmName.SHA1;
    public static readonly HashAlgorithmName Sha256 = HashAlgorithmName.SHA256;

    // GS2 header "n,,": this client does not support channel binding, and says so (RFC 5802 section 7).
    // With "n" a server that offers -PLUS variants has no reason to suspect a downgrade.
    private const string Gs2Header = "n,,";

    private const int MinIterations = 4096;
    private const int MaxIterations = 1_000_000;

    private readonly HashAlgorithmName _hash;
    private readonly string _password;
    private readonly string _clientNonce;
    private readonly string _clientFirstBare;
    private byte[]? _expectedServerSignature;
    private bool _serverVerified;

    /// <param name="hash">SHA-1 or SHA-256.</param>
    /// <param name="username">The account name.</param>
    /// <param name="password">The password.</param>
    /// <param name="clientNonce">Fixed nonce for the RFC test vectors; random when omitted.</param>
    public ScramMechanism(HashAlgorithmName hash, string username, string password, string? clientNonce = null)
    {
        if (hash != Sha1 && hash != Sha256)
        {
            throw new ArgumentException("Only SHA-1 and SHA-256 are supported.", nameof(hash));
        }

        _hash = hash;
        _password = password;
        _clientNonce = clientNonce ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        _clientFirstBare = $"n={EscapeSaslName(Prepare(username))},r={_clientNonce}";
    }

    public override string Name => _hash == Sha1 ? ScramSha1 : ScramSha256;

    public override byte[] GetInitialResponse() => Encoding.UTF8.GetBytes(Gs2Header + _clientFirstBare);

    public override byte[] RespondToChallenge(byte[] challenge)
    {
        var message = Encoding.UTF8.GetString(challenge);
        if (_expectedServerSignature is null)
        {
            return Encoding.UTF8.GetBytes(CreateClientFinal(message));
        }

        // Some servers send server-final as a challenge instead of in <success/>; the reply is empty.
        VerifyServerFinal(message);
        return [];
    }

    public override void VerifySuccess(byte[] additionalData)
    {
        if (additionalData.Length > 0)
        {
            VerifyServerFinal(Encoding.UTF8.GetString(additionalData));
        }

        if (!_serverVerified)
        {
            throw new XmppAuthenticationException(Name, XmppAuthenticationException.ServerSignatureMismatch,
                "the server reported success without sending its signature.");
        }
    }

    private string CreateClientFinal(string serverFirst)
    {
        var attributes = ParseAttributes(serverFirst);
        if (attributes.ContainsKey('m'))
        {
            throw Malformed("the server requires an unsupported SCRAM extension.");
        }

        if (!attributes.TryGetValue('r', out var nonce) || !attributes.TryGetValue('s', out var saltText)
            || !attributes.TryGetValue('i', out var iterationText))
        {
            throw Malformed("server-first-message lacks r, s or i.");
        }

        // The server's nonce must extend ours, otherwise this could be a replayed exchange.
        if (!nonce.StartsWith(_clientNonce, StringComparison.Ordinal) || nonce.Length == _clientNonce.Length)
        {
            throw Malformed("the server nonce does not extend the client nonce.");
        }

        // RFC 7677 section 4 asks for at least 4096; the upper bound stops a hostile server from burning our CPU.
        if (!int.TryParse(iterationText, out var iterations) || iterations is < MinIterations or > MaxIterations)
        {
            throw Malformed($"the iteration count must be between {MinIterations} and {MaxIterations}.");
        }

        byte[] salt;
        try
        {
            salt = Convert.FromBase64String(saltText);
        }
        catch (FormatException)
        {
            throw Malformed("the salt is not valid base64.");
        }

        var clientFinalWithoutProof = $"c={Convert.ToBase64String(Encoding.UTF8.GetBytes(Gs2Header))},r={nonce}";
        var authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{serverFirst},{clientFinalWithoutProof}");

        // RFC 5802 section 3:
        //   SaltedPassword  := Hi(Normalize(password), salt, i)
        //   ClientKey       := HMAC(SaltedPassword, "Client Key")
        //   StoredKey       := H(ClientKey)
        //   ClientSignature := HMAC(StoredKey, AuthMessage)
        //   ClientProof     := ClientKey XOR ClientSignature
        //   ServerKey       := HMAC(SaltedPassword, "Server Key")
        //   ServerSignature := HMAC(ServerKey, AuthMessage)
        var hashLength = _hash == Sha1 ? SHA1.HashSizeInBytes : SHA256.HashSizeInBytes;
        var saltedPassword = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(Prepare(_password)), salt, iterations, _hash, hashLength);
        var clientKey = Hmac(saltedPassword, "Client Key"u8.ToArray());
        var storedKey = _hash == Sha1 ? SHA1.HashData(clientKey) : SHA256.HashData(clientKey);
        var clientSignature = Hmac(storedKey, authMessage);
        var proof = new byte[clientKey.Length];
        for (var i = 0; i < proof.Length; i++)
        {
            proof[i] = (byte)(clientKey[i] ^ clientSignature[i]);
        }

        _expectedServerSignature = Hmac(Hmac(saltedPassword, "Server Key"u8.ToArray()), authMessage);
        return $"{clientFinalWithoutProof},p={Convert.ToBase64String(proof)}";
    }

    private void VerifyServerFinal(string serverFinal)
    {
        var attributes = ParseAttributes(serverFinal);
        if (attributes.TryGetValue('e', out var error))
        {
            throw new XmppAuthenticationException(Name, XmppAuthenticationException.ServerSignatureMismatch, $"server-final error: {error}");
        }

        byte[]? signature = null;
        if (attributes.TryGetValue('v', out var signatureText))
        {
            try
            {
                signature = Convert.FromBase64String(signatureText);
            }
            catch (FormatException)
            {
            }
        }

        if (_expectedServerSignature is null || signature is null
            || !CryptographicOperations.FixedTimeEquals(signature, _expectedServerSignature))
        {
            throw new XmppAuthenticationException(Name, XmppAuthenticationException.ServerSignatureMismatch,
                "the server signature does not match; the server does not know the password.");
        }

        _serverVerified = true;
    }

    private byte[] Hmac(byte[] key, byte[] data)
        => _hash == Sha1 ? HMACSHA1.HashData(key, data) : HMACSHA256.HashData(key, data);

    /// <summary>
    /// Stand-in for SASLprep (RFC 4013). ASCII is passed through untouched, which is exactly what
    /// SASLprep does for printable ASCII; other text gets Unicode NFKC, the core of SASLprep,
    /// without its mapping and prohibition tables. Generated Aspire passwords are ASCII.
    /// </summary>
    internal static string Prepare(string text)
        => Ascii.IsValid(text) ? text : text.Normalize(NormalizationForm.FormKC);

    /// <summary>'=' and ',' are syntax in SCRAM, so a user name escapes them as =3D and =2C.</summary>
    internal static string EscapeSaslName(string name)
        => name.Replace("=", "=3D", StringComparison.Ordinal).Replace(",", "=2C", StringComparison.Ordinal);

    private static Dictionary<char, string> ParseAttributes(string message)
    {
        var attributes = new Dictionary<char, string>();
        foreach (var part in message.Split(','))
        {
            if (part.Length >= 2 && part[1] == '=')
            {
                attributes[part[0]] = part[2..];
            }
        }

        return attributes;
    }

    private XmppAuthenticationException Malformed(string text) => new(Name, "malformed-request", text);
}
