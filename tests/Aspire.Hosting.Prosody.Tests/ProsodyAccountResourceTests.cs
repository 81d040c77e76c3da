namespace Aspire.Hosting.Prosody.Tests;

/// <summary>Accounts for services: what AddAccount declares, and what an app that references one receives.</summary>
public class ProsodyAccountResourceTests
{
    private static IResourceBuilder<ProsodyResource> AddAllocatedProsody(IDistributedApplicationBuilder builder) =>
        builder.AddProsody("chat").WithAllocatedEndpoint("c2s", 15222, 5222).WithAllocatedEndpoint("http", 15280, 5280);

    [Fact]
    public void AnAccountIsProvisionedOnItsServerWithAGeneratedSecretPassword()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat");

        var bot = chat.AddAccount("Bot");

        Assert.Equal("bot", bot.Resource.UserName);
        Assert.Equal("bot@chat.dev.localhost", bot.Resource.Jid);
        Assert.Same(chat.Resource, bot.Resource.Parent);
        Assert.Equal("Bot-password", bot.Resource.PasswordParameter.Name);
        Assert.True(bot.Resource.PasswordParameter.Secret);
        Assert.Contains(chat.Resource.Settings.Users, u => u.UserName == "bot" && u.Password == bot.Resource.PasswordParameter && !u.IsAdmin);
    }

    [Fact]
    public void AnAccountTakesAGivenUserNameAndPasswordParameter()
    {
        var builder = TestModel.CreateBuilder();
        var password = builder.AddParameter("notifier-secret", "s3cret", secret: true);

        var account = builder.AddProsody("chat").AddAccount("notifier", userName: "alerts", password: password);

        Assert.Equal("alerts@chat.dev.localhost", account.Resource.Jid);
        Assert.Same(password.Resource, account.Resource.PasswordParameter);
    }

    [Fact]
    public void AnAccountWhoseUserNameIsTakenIsRefusedNamingTheArgument()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat").WithUser("bot");

        var e = Assert.Throws<ArgumentException>(() => chat.AddAccount("bot"));
        Assert.Equal("name", e.ParamName);
        Assert.Contains("already declared", e.Message);
        var admin = Assert.Throws<ArgumentException>(() => chat.AddAccount("ops", userName: "admin"));
        Assert.Equal("userName", admin.ParamName);
    }

    [Theory]
    [InlineData("bad name")]
    [InlineData("x@y")]
    [InlineData("a\"b")]
    public void AnInvalidUserNameIsRefusedNamingTheArgument(string userName)
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat");

        var e = Assert.Throws<ArgumentException>(() => chat.AddAccount("bot", userName: userName));
        Assert.Equal("userName", e.ParamName);
        Assert.Empty(chat.Resource.Settings.Users);
    }

    [Fact]
    public async Task AnAppThatReferencesAnAccountReceivesItsJidAndPassword()
    {
        var builder = TestModel.CreateBuilder();
        var password = builder.AddParameter("bot-secret", "p=a ss%w'rd", secret: true);
        var bot = AddAllocatedProsody(builder).AddAccount("bot", password: password);
        var service = builder.AddExecutable("service", "service", ".").WithReference(bot);
        var environment = await builder.BuildAndReadEnvironmentAsync(service.Resource);

        Assert.Equal(
            "Host=localhost;Port=15222;Domain=chat.dev.localhost;Username=bot;Password=p=a ss%w'rd",
            environment["ConnectionStrings__bot"]);
        Assert.Equal("bot@chat.dev.localhost", environment["BOT_JID"]);
        Assert.Equal("bot", environment["BOT_USERNAME"]);
        Assert.Equal("p=a ss%w'rd", environment["BOT_PASSWORD"]);
    }

    [Fact]
    public async Task ThePublishedManifestHoldsOnlyThePasswordsPlaceholder()
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var bot = builder.AddProsody("chat").AddAccount("bot");
        var service = builder.AddContainer("service", "service-image").WithReference(bot);
        using var app = builder.Build();

        var manifest = await app.ManifestAsync(service.Resource);

        Assert.Equal("{bot.connectionString}", manifest["env"]!["ConnectionStrings__bot"]!.GetValue<string>());
        Assert.Equal("{bot-password.value}", manifest["env"]!["BOT_PASSWORD"]!.GetValue<string>());
        Assert.EndsWith(";Username=bot;Password={bot-password.value}", bot.Resource.ConnectionStringExpression.ValueExpression);
    }

    [Theory]
    [InlineData("a;b")]
    [InlineData("\"quoted")]
    [InlineData("'quoted")]
    [InlineData(" leading")]
    [InlineData("trailing ")]
    [InlineData("")]
    public async Task APasswordTheConnectionStringCannotCarryStopsTheServersStartNamingTheParameter(string value)
    {
        var builder = TestModel.CreateBuilder();
        var password = builder.AddParameter("bot-secret", value, secret: true);
        var chat = builder.AddProsody("chat");
        chat.AddAccount("bot", password: password);
        using var app = builder.Build();
        var eventing = app.Services.GetRequiredService<Aspire.Hosting.Eventing.IDistributedApplicationEventing>();

        var e = await Assert.ThrowsAsync<DistributedApplicationException>(() =>
            eventing.PublishAsync(new BeforeResourceStartedEvent(chat.Resource, app.Services), TestContext.Current.CancellationToken));

        Assert.Contains("'bot-secret'", e.Message);
        // The message names the parameter, never its value.
        if (value.Trim().Length > 1)
        {
            Assert.DoesNotContain(value.Trim(), e.Message, StringComparison.Ordinal);
        }
    }
}
