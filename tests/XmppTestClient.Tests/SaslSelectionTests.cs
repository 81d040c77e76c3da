namespace XmppTestClient.Tests;

public sealed class SaslSelectionTests
{
    [Fact]
    public void Plain_sends_empty_authzid_user_and_password_separated_by_nul()
    {
        var plain = SaslSelection.Create(SaslMechanisms.Plain, "alice", "s3cr=t,");

        Assert.Equal("\0alice\0s3cr=t,", Encoding.UTF8.GetString(plain.GetInitialResponse()));
    }

    [Fact]
    public void Automatic_choice_takes_the_strongest_offered_mechanism_regardless_of_server_order()
    {
        Assert.Equal("SCRAM-SHA-256", SaslSelection.Choose(["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256"], null));
        Assert.Equal("SCRAM-SHA-1", SaslSelection.Choose(["PLAIN", "OAUTHBEARER", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-1"], null));
        Assert.Equal("PLAIN", SaslSelection.Choose(["PLAIN"], null));
    }

    [Fact]
    public void Requested_mechanism_is_used_even_when_a_stronger_one_is_offered()
    {
        Assert.Equal("PLAIN", SaslSelection.Choose(["SCRAM-SHA-256", "PLAIN"], SaslMechanisms.Plain));
    }

    [Fact]
    public void Requested_mechanism_that_is_not_offered_fails_with_the_offered_list()
    {
        var error = Assert.Throws<XmppException>(() => SaslSelection.Choose(["SCRAM-SHA-1", "PLAIN"], SaslMechanisms.ScramSha256));

        Assert.Contains("SCRAM-SHA-1, PLAIN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_offered_mechanism_hints_that_tls_may_be_needed_first()
    {
        var error = Assert.Throws<XmppException>(() => SaslSelection.Choose([], null));

        Assert.Contains("TLS", error.Message, StringComparison.Ordinal);
    }
}
