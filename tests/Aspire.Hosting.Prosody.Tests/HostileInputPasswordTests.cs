using Aspire.Hosting.Prosody.Accounts;

namespace Aspire.Hosting.Prosody.Tests;

/// <summary>
/// Passwords Prosody can never accept (SASLprep refuses them) fail the resource's start naming the parameter, rather
/// than a Healthy server on which that account can never sign in.
/// </summary>
public class HostileInputPasswordTests
{
    [Theory]
    [InlineData("\n", "U+000A")]
    [InlineData("pass\u0000word", "U+0000")]
    [InlineData("a\u007fb", "U+007F")]
    [InlineData("a\u0085b", "U+0085")]
    [InlineData("", "empty")]
    [InlineData("a\u202eb", "U+202E")]
    [InlineData("a\ue000b", "U+E000")]
    [InlineData("a\ufffeb", "U+FFFE")]
    public void APasswordSaslPrepRefusesIsFound(string password, string reason)
    {
        Assert.Contains(reason, ProsodyPasswords.Problem(password));
    }

    [Fact]
    public void ALoneSurrogateIsFound()
    {
        Assert.Contains("lone surrogate", ProsodyPasswords.Problem(string.Concat("a", ((char)0xD800).ToString(), "b")));
    }

    [Theory]
    [InlineData("correct horse battery staple")]
    [InlineData("Pässwörd-ß")]
    [InlineData("\U0001F511key")]
    [InlineData("x")]
    public void AnOrdinaryPasswordPasses(string password)
    {
        Assert.Null(ProsodyPasswords.Problem(password));
    }

    [Fact]
    public async Task ThePasswordCheckAtStartNamesTheParameter()
    {
        var builder = TestModel.CreateBuilder();
        builder.Configuration["Parameters:alice-password"] = "line\nbreak";
        var chat = builder.AddProsody("chat").WithUser("alice", builder.AddParameter("alice-password", secret: true));

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => ProsodyPasswords.CheckAsync(chat.Resource, TestContext.Current.CancellationToken));

        Assert.Contains("'alice-password'", error.Message);
        Assert.Contains("SASLprep", error.Message);
        Assert.DoesNotContain("line\nbreak", error.Message);
    }
}
