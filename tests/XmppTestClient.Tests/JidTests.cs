namespace XmppTestClient.Tests;

public sealed class JidTests
{
    [Fact]
    public void Parses_local_domain_and_resource_of_a_full_jid()
    {
        var jid = Jid.Parse("alice@chat.dev.localhost/phone");

        Assert.Equal("alice", jid.Local);
        Assert.Equal("chat.dev.localhost", jid.Domain);
        Assert.Equal("phone", jid.Resource);
        Assert.False(jid.IsBare);
        Assert.Equal("alice@chat.dev.localhost/phone", jid.ToString());
    }

    [Fact]
    public void Parses_a_bare_jid_without_resource()
    {
        var jid = Jid.Parse("alice@chat.dev.localhost");

        Assert.Equal("alice", jid.Local);
        Assert.Null(jid.Resource);
        Assert.True(jid.IsBare);
    }

    [Fact]
    public void Parses_a_domain_only_jid_as_a_server_address()
    {
        var jid = Jid.Parse("chat.dev.localhost");

        Assert.Null(jid.Local);
        Assert.Equal("chat.dev.localhost", jid.Domain);
        Assert.Null(jid.Resource);
    }

    [Fact]
    public void Resource_may_contain_at_signs_and_slashes()
    {
        var jid = Jid.Parse("alice@chat.dev.localhost/desk/laptop@home");

        Assert.Equal("alice", jid.Local);
        Assert.Equal("desk/laptop@home", jid.Resource);
    }

    [Fact]
    public void Domain_with_resource_but_no_local_part_parses()
    {
        var jid = Jid.Parse("chat.dev.localhost/admin@x");

        Assert.Null(jid.Local);
        Assert.Equal("admin@x", jid.Resource);
    }

    [Fact]
    public void Domain_is_lower_cased_and_loses_a_trailing_dot_but_local_part_and_resource_keep_their_case()
    {
        var jid = Jid.Parse("Alice@Chat.Dev.LocalHost./Phone");

        Assert.Equal("Alice", jid.Local);
        Assert.Equal("chat.dev.localhost", jid.Domain);
        Assert.Equal("Phone", jid.Resource);
    }

    [Fact]
    public void Bare_drops_the_resource_and_equals_the_parsed_bare_jid()
    {
        Assert.Equal(Jid.Parse("alice@chat.dev.localhost"), Jid.Parse("alice@chat.dev.localhost/phone").Bare);
        Assert.NotEqual(Jid.Parse("alice@chat.dev.localhost"), Jid.Parse("alice@chat.dev.localhost/phone"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("@chat.dev.localhost")]
    [InlineData("alice@")]
    [InlineData("alice@chat.dev.localhost/")]
    [InlineData("/resource")]
    [InlineData("alice@@chat.dev.localhost")]
    public void Rejects_malformed_jids(string text)
    {
        Assert.Throws<FormatException>(() => Jid.Parse(text));
        Assert.False(Jid.TryParse(text, out _));
    }

    [Fact]
    public void Rejects_parts_longer_than_1023_bytes()
    {
        Assert.Throws<FormatException>(() => Jid.Parse(new string('a', 1024) + "@chat.dev.localhost"));
        Assert.Equal(1023, Jid.Parse(new string('a', 1023) + "@chat.dev.localhost").Local!.Length);
    }

    [Fact]
    public void Create_builds_from_parts_and_refuses_separators_in_the_local_part()
    {
        Assert.Equal("bob@chat.dev.localhost/desk", Jid.Create("bob", "chat.dev.localhost", "desk").ToString());
        Assert.Throws<FormatException>(() => Jid.Create("bob/x", "chat.dev.localhost"));
    }

    [Fact]
    public void IsFrom_matches_any_resource_for_a_bare_jid_and_exactly_for_a_full_jid()
    {
        var stanza = new System.Xml.Linq.XElement(XmppNamespaces.Client + "message", new System.Xml.Linq.XAttribute("from", "bob@chat.dev.localhost/desk"));

        Assert.True(stanza.IsFrom("bob@chat.dev.localhost"));
        Assert.True(stanza.IsFrom("bob@chat.dev.localhost/desk"));
        Assert.False(stanza.IsFrom("bob@chat.dev.localhost/phone"));
        Assert.False(stanza.IsFrom("alice@chat.dev.localhost"));
    }
}
