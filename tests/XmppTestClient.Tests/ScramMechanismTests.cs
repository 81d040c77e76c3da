using System.Security.Cryptography;
using System.Text;
using XmppTestClient.Sasl;

namespace XmppTestClient.Tests;

public sealed class ScramMechanismTests
{
    // RFC 5802 section 5: user "user", password "pencil".
    private const string Sha1ClientNonce = "fyko+d2lbbFgONRv9qkxdawL";
    private const string Sha1ServerFirst = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096";
    private const string Sha1ClientFinal = "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=";
    private const string Sha1ServerFinal = "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=";

    // RFC 7677 section 3: user "user", password "pencil".
    private const string Sha256ClientNonce = "rOprNGfwEbeRWgbNEkqO";
    private const string Sha256ServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private const string Sha256ClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private const string Sha256ServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    [Fact]
    public void ScramSha1_client_first_message_matches_RFC5802_test_vector()
    {
        var scram = new ScramMechanism(ScramMechanism.Sha1, "user", "pencil", Sha1ClientNonce);

        Assert.Equal("SCRAM-SHA-1", scram.Name);
        Assert.Equal("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL", Utf8(scram.GetInitialResponse()));
    }

    [Fact]
    public void ScramSha1_client_final_message_and_proof_match_RFC5802_test_vector()
    {
        var scram = new ScramMechanism(ScramMechanism.Sha1, "user", "pencil", Sha1ClientNonce);
        scram.GetInitialResponse();

        Assert.Equal(Sha1ClientFinal, Utf8(scram.RespondToChallenge(Bytes(Sha1ServerFirst))));
    }

    [Fact]
    public void ScramSha1_accepts_the_server_signature_from_RFC5802_test_vector()
    {
        var scram = new ScramMechanism(ScramMechanism.Sha1, "user", "pencil", Sha1ClientNonce);
        scram.GetInitialResponse();
        scram.RespondToChallenge(Bytes(Sha1ServerFirst));

        scram.VerifySuccess(Bytes(Sha1ServerFinal)); // does not throw
    }

    [Fact]
    public void ScramSha256_client_first_message_matches_RFC7677_test_vector()
    {
        var scram = new ScramMechanism(ScramMechanism.Sha256, "user", "pencil", Sha256ClientNonce);

        Assert.Equal("SCRAM-SHA-256", scram.Name);
        Assert.Equal("n,,n=user,r=rOprNGfwEbeRWgbNEkqO", Utf8(scram.GetInitialResponse()));
    }

    [Fact]
    public void ScramSha256_client_final_message_and_proof_match_RFC7677_test_vector()
    {
        var scram = new ScramMechanism(ScramMechanism.Sha256, "user", "pencil", Sha256ClientNonce);
        scram.GetInitialResponse();

        Assert.Equal(Sha256ClientFinal, Utf8(scram.RespondToChallenge(Bytes(Sha256ServerFirst))));
    }

    [Fact]
    public void ScramSha256_accepts_the_server_signature_from_RFC7677_test_vector()
    {
        var scram = new ScramMechanism(ScramMechanism.Sha256, "user", "pencil", Sha256ClientNonce);
        scram.GetInitialResponse();
        scram.RespondToChallenge(Bytes(Sha256ServerFirst));

        scram.VerifySuccess(Bytes(Sha256ServerFinal));
    }

    [Fact]
    public void Scram_accepts_server_final_sent_as_a_challenge_and_answers_it_with_an_empty_response()
    {
        var scram = new ScramMechanism(ScramMechanism.Sha1, "user", "pencil", Sha1ClientNonce);
        scram.GetInitialResponse();
        scram.RespondToChallenge(Bytes(Sha1ServerFirst));

        Assert.Empty(scram.RespondToChallenge(Bytes(Sha1ServerFinal)));
        scram.VerifySuccess([]);
    }

    [Fact]
    public void Scram_rejects_a_wrong_server_signature()
    {
        var scram = new ScramMechanism(ScramMechanism.Sha256, "user", "pencil", Sha256ClientNonce);
        scram.GetInitialResponse();
        scram.RespondToChallenge(Bytes(Sha256ServerFirst));

        var error = Assert.Throws<XmppAuthenticationException>(
            () => scram.VerifySuccess(Bytes("v=" + Convert.ToBase64String(new byte[32]))));
        Assert.Equal(XmppAuthenticationException.ServerSignatureMismatch, error.Condition);
    }

    [Fact]
    public void Scram_rejects_success_without_a_server_signature()
    {
        var scram = new ScramMechanism(ScramMechanism.Sha1, "user", "pencil", Sha1ClientNonce);
        scram.GetInitialResponse();
        scram.RespondToChallenge(Bytes(Sha1ServerFirst));

        var error = Assert.Throws<XmppAuthenticationException>(() => scram.VerifySuccess([]));
        Assert.Equal(XmppAuthenticationException.ServerSignatureMismatch, error.Condition);
    }

    [Fact]
    public void Scram_rejects_a_server_nonce_that_does_not_extend_the_client_nonce()
    {
        var scram = new ScramMechanism(ScramMechanism.Sha1, "user", "pencil", "abc");
        scram.GetInitialResponse();

        var error = Assert.Throws<XmppAuthenticationException>(
            () => scram.RespondToChallenge(Bytes("r=xyzabc123,s=QSXCR+Q6sek8bf92,i=4096")));
        Assert.Equal("malformed-request", error.Condition);
    }

    [Fact]
    public void Scram_escapes_comma_and_equals_in_the_user_name()
    {
        var scram = new ScramMechanism(ScramMechanism.Sha1, "a=b,c", "pencil", "nonce");

        Assert.Equal("n,,n=a=3Db=2Cc,r=nonce", Utf8(scram.GetInitialResponse()));
    }

    [Fact]
    public void Scram_generates_a_fresh_random_nonce_for_each_exchange()
    {
        var first = Utf8(new ScramMechanism(ScramMechanism.Sha1, "user", "pencil").GetInitialResponse());
        var second = Utf8(new ScramMechanism(ScramMechanism.Sha1, "user", "pencil").GetInitialResponse());

        Assert.StartsWith("n,,n=user,r=", first);
        Assert.NotEqual(first, second);
    }

    [Theory]
    [InlineData("pencil")]
    [InlineData("p@ss w0rd!~ \"quoted\" ,= \\ `tick`")]
    public void Scram_uses_ascii_passwords_byte_for_byte_without_saslprep_changes(string password)
    {
        // Recompute the proof independently from the raw ASCII bytes of the password.
        var scram = new ScramMechanism(ScramMechanism.Sha256, "user", password, Sha256ClientNonce);
        scram.GetInitialResponse();
        var clientFinal = Utf8(scram.RespondToChallenge(Bytes(Sha256ServerFirst)));

        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.ASCII.GetBytes(password), Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        var withoutProof = clientFinal[..clientFinal.IndexOf(",p=", StringComparison.Ordinal)];
        var authMessage = $"n=user,r={Sha256ClientNonce},{Sha256ServerFirst},{withoutProof}";
        var signature = HMACSHA256.HashData(SHA256.HashData(clientKey), Encoding.ASCII.GetBytes(authMessage));
        var proof = clientKey.Zip(signature, (k, s) => (byte)(k ^ s)).ToArray();

        Assert.Equal($"{withoutProof},p={Convert.ToBase64String(proof)}", clientFinal);
        Assert.Equal(password, ScramMechanism.Prepare(password));
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
