using System.Security.Cryptography;
using Aspire.Prosody.Client.Xmpp.Sasl;

namespace Aspire.Prosody.Client.Tests.Xmpp;

public sealed class ScramTests
{
    // RFC 5802 section 5 and RFC 7677 section 3: user "user", password "pencil".
    private const string Sha1Nonce = "fyko+d2lbbFgONRv9qkxdawL";
    private const string Sha1ServerFirst = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096";
    private const string Sha1ClientFinal = "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=";
    private const string Sha1ServerFinal = "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=";
    private const string Sha256Nonce = "rOprNGfwEbeRWgbNEkqO";
    private const string Sha256ServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private const string Sha256ClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private const string Sha256ServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    [Fact]
    public void ScramSha1MatchesTheRfc5802TestVectorAndAcceptsItsServerSignature()
    {
        AssertExchangeMatches(ScramMechanism.Sha1, Sha1Nonce, Sha1ServerFirst, Sha1ClientFinal, Sha1ServerFinal);
    }

    [Fact]
    public void ScramSha256MatchesTheRfc7677TestVectorAndAcceptsItsServerSignature()
    {
        AssertExchangeMatches(ScramMechanism.Sha256, Sha256Nonce, Sha256ServerFirst, Sha256ClientFinal, Sha256ServerFinal);
    }

    [Fact]
    public void AWrongServerSignatureIsRefused()
    {
        var scram = new ScramMechanism(ScramMechanism.Sha1, "user", "pencil", Sha1Nonce);
        scram.GetInitialResponse();
        scram.RespondToChallenge(Bytes(Sha1ServerFirst));

        var e = Assert.Throws<XmppAuthenticationException>(() => scram.VerifySuccess(Bytes("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=")));
        Assert.Equal(XmppAuthenticationException.ServerSignatureMismatch, e.Condition);
    }

    [Fact]
    public void SuccessWithoutAServerSignatureIsRefused()
    {
        var scram = new ScramMechanism(ScramMechanism.Sha1, "user", "pencil", Sha1Nonce);
        scram.GetInitialResponse();
        scram.RespondToChallenge(Bytes(Sha1ServerFirst));

        Assert.Throws<XmppAuthenticationException>(() => scram.VerifySuccess([]));
    }

    [Theory]
    [InlineData("r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=1000000000")] // would burn the CPU
    [InlineData("r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=1")]          // below RFC 7677's 4096
    [InlineData("r=someoneelse,s=QSXCR+Q6sek8bf92,i=4096")]                         // nonce does not extend ours
    public void AHostileServerFirstMessageIsRefused(string serverFirst)
    {
        var scram = new ScramMechanism(ScramMechanism.Sha1, "user", "pencil", Sha1Nonce);
        scram.GetInitialResponse();

        Assert.Throws<XmppAuthenticationException>(() => scram.RespondToChallenge(Bytes(serverFirst)));
    }

    [Fact]
    public void ScramSha256IsPreferredThenScramSha1AndPlainOnlyWithoutScram()
    {
        Assert.Equal("SCRAM-SHA-256", SaslClientMechanism.Choose(["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256"], "u", "p").Name);
        Assert.Equal("SCRAM-SHA-1", SaslClientMechanism.Choose(["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-1-PLUS"], "u", "p").Name);
        Assert.Equal("PLAIN", SaslClientMechanism.Choose(["PLAIN"], "u", "p").Name);
        Assert.Throws<XmppAuthenticationException>(() => SaslClientMechanism.Choose(["DIGEST-MD5"], "u", "p"));
    }

    /// <summary>Runs an RFC test vector's exchange (user "user", password "pencil") and checks every message the client sends and the server's signature.</summary>
    private static void AssertExchangeMatches(HashAlgorithmName hash, string nonce, string serverFirst, string clientFinal, string serverFinal)
    {
        var scram = new ScramMechanism(hash, "user", "pencil", nonce);

        Assert.Equal("n,,n=user,r=" + nonce, Utf8(scram.GetInitialResponse()));
        Assert.Equal(clientFinal, Utf8(scram.RespondToChallenge(Bytes(serverFirst))));
        scram.VerifySuccess(Bytes(serverFinal));
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
