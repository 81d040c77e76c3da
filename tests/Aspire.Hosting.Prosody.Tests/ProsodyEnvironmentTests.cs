namespace Aspire.Hosting.Prosody.Tests;

/// <summary>How each builder method maps onto the official image's PROSODY_* variables.</summary>
public class ProsodyEnvironmentTests
{
    private static async Task<Dictionary<string, object>> EnvironmentOf(Action<IResourceBuilder<ProsodyResource>> configure, DistributedApplicationOperation operation = DistributedApplicationOperation.Run)
    {
        var builder = TestModel.CreateBuilder(operation);
        var chat = builder.AddProsody("chat");
        configure(chat);
        return await chat.Resource.RawEnvironmentAsync(operation);
    }

    [Fact]
    public async Task TheDefaultEnvironmentNamesTheDomainTheAdminAndTheModules()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat");

        var environment = await chat.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Run);

        Assert.Equal(
            ["ASPIRE_ACCOUNT_1_PASSWORD", "ASPIRE_HTTP_EXTERNAL_URL", "ASPIRE_RESTART_ON_CRASH", "PROSODY_ADMINS", "PROSODY_C2S_RATE_LIMIT", "PROSODY_DISABLE_MODULES", "PROSODY_ENABLE_MODULES", "PROSODY_PLUGIN_PATHS", "PROSODY_STATISTICS", "PROSODY_STATISTICS_INTERVAL", "PROSODY_VIRTUAL_HOSTS"],
            environment.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("chat.dev.localhost", environment["PROSODY_VIRTUAL_HOSTS"]);
        Assert.Equal("admin@chat.dev.localhost", environment["PROSODY_ADMINS"]);
        Assert.Equal("aspire_accounts,aspire_health,http_openmetrics,websocket", environment["PROSODY_ENABLE_MODULES"]);
        Assert.Equal("dialback,invites,invites_adhoc,invites_register,register,register_ibr,s2s", environment["PROSODY_DISABLE_MODULES"]);
        Assert.Equal("10mb/s", environment["PROSODY_C2S_RATE_LIMIT"]);
        Assert.Equal("/etc/prosody/modules,/usr/local/lib/prosody-aspire/modules", environment["PROSODY_PLUGIN_PATHS"]);
        Assert.Same(chat.Resource.AdminPasswordParameter, environment["ASPIRE_ACCOUNT_1_PASSWORD"]);
    }

    [Fact]
    public async Task TheResolvedEnvironmentCarriesTheAdminPasswordValue()
    {
        var builder = TestModel.CreateBuilder();
        var password = builder.AddParameter("pw", "correct horse", secret: true);
        var chat = builder.AddProsody("chat", adminPassword: password);
        var environment = await builder.BuildAndReadEnvironmentAsync(chat.Resource);

        Assert.Equal("correct horse", environment["ASPIRE_ACCOUNT_1_PASSWORD"]);
    }

    [Fact]
    public async Task TheEnvironmentNeverHoldsAnEmptyValue()
    {
        var environment = await EnvironmentOf(chat => chat.WithWebSocket(false).WithFederation());

        Assert.DoesNotContain(environment.Values, value => value is "");
        Assert.Equal("invites,invites_adhoc,invites_register,register,register_ibr", environment["PROSODY_DISABLE_MODULES"]);
    }

    [Fact]
    public async Task WithDomainSetsTheVirtualHostAndTheAdminJid()
    {
        var environment = await EnvironmentOf(chat => chat.WithDomain("xmpp.example.com"));

        Assert.Equal("xmpp.example.com", environment["PROSODY_VIRTUAL_HOSTS"]);
        Assert.Equal("admin@xmpp.example.com", environment["PROSODY_ADMINS"]);
    }

    [Fact]
    public async Task WithUserAddsAPasswordVariablePerAccountAndAdminsJoinTheAdminListWithoutSpaces()
    {
        var builder = TestModel.CreateBuilder();
        var bobPassword = builder.AddParameter("bob-pw", secret: true);
        var chat = builder.AddProsody("chat").WithUser("alice").WithUser("bob", bobPassword, isAdmin: true);

        var environment = await chat.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Run);

        Assert.Equal("admin@chat.dev.localhost,bob@chat.dev.localhost", environment["PROSODY_ADMINS"]);
        Assert.Equal("chat-alice-password", Assert.IsType<ParameterResource>(environment["ASPIRE_ACCOUNT_2_PASSWORD"]).Name);
        Assert.Same(bobPassword.Resource, environment["ASPIRE_ACCOUNT_3_PASSWORD"]);
    }

    [Fact]
    public async Task WithAdminUserNameRenamesTheAdministrator()
    {
        var environment = await EnvironmentOf(chat => chat.WithAdminUserName("root"));

        Assert.Equal("root@chat.dev.localhost", environment["PROSODY_ADMINS"]);
    }

    [Fact]
    public async Task WithEnabledModulesAndWithDisabledModulesJoinNamesWithCommasOnly()
    {
        var environment = await EnvironmentOf(chat => chat.WithEnabledModules("mam", "announce").WithDisabledModules("vcard_legacy", "websocket"));

        Assert.Equal("announce,aspire_accounts,aspire_health,http_openmetrics,mam", environment["PROSODY_ENABLE_MODULES"]);
        Assert.Equal("dialback,invites,invites_adhoc,invites_register,register,register_ibr,s2s,vcard_legacy,websocket", environment["PROSODY_DISABLE_MODULES"]);
    }

    [Fact]
    public async Task WithBoshEnablesTheBoshModule()
    {
        var environment = await EnvironmentOf(chat => chat.WithBosh());

        Assert.Equal("aspire_accounts,aspire_health,bosh,http_openmetrics,websocket", environment["PROSODY_ENABLE_MODULES"]);
    }

    [Fact]
    public async Task WithFederationStopsDisablingServerToServer()
    {
        var environment = await EnvironmentOf(chat => chat.WithFederation());

        Assert.DoesNotContain(environment["PROSODY_DISABLE_MODULES"].ToString()!.Split(','), module => module is "s2s" or "dialback");
    }

    [Fact]
    public async Task RegistrationIsClosedByDefaultAndInviteOnlyLoadsTheInvitationModules()
    {
        var closed = await EnvironmentOf(_ => { });
        Assert.Equal(["invites", "invites_adhoc", "invites_register", "register", "register_ibr"],
            closed["PROSODY_DISABLE_MODULES"].ToString()!.Split(',').Where(m => m.Contains("regist", StringComparison.Ordinal) || m.StartsWith("invites", StringComparison.Ordinal)));

        var inviteOnly = await EnvironmentOf(chat => chat.WithRegistration(ProsodyRegistration.InviteOnly));
        Assert.Equal("dialback,s2s", inviteOnly["PROSODY_DISABLE_MODULES"]);
        Assert.Equal("aspire_accounts,aspire_health,http_openmetrics,invites,invites_adhoc,invites_register,register,register_ibr,websocket", inviteOnly["PROSODY_ENABLE_MODULES"]);

        // A registration module the app model enables itself stays on.
        var enabled = await EnvironmentOf(chat => chat.WithEnabledModules("register"));
        Assert.DoesNotContain("register", enabled["PROSODY_DISABLE_MODULES"].ToString()!.Split(','));
        Assert.Contains("register", enabled["PROSODY_ENABLE_MODULES"].ToString()!.Split(','));

        Assert.Throws<ArgumentOutOfRangeException>("registration", () => TestModel.CreateBuilder().AddProsody("chat").WithRegistration((ProsodyRegistration)5));
    }

    [Theory]
    [InlineData(ProsodyLogLevel.Debug, "debug")]
    [InlineData(ProsodyLogLevel.Info, "info")]
    [InlineData(ProsodyLogLevel.Warn, "warn")]
    [InlineData(ProsodyLogLevel.Error, "error")]
    public async Task WithLogLevelSetsTheLogLevel(ProsodyLogLevel level, string expected)
    {
        var environment = await EnvironmentOf(chat => chat.WithLogLevel(level));

        Assert.Equal(expected, environment["PROSODY_LOGLEVEL"]);
    }

    [Fact]
    public async Task WithRateLimitsSetsBothLimits()
    {
        var environment = await EnvironmentOf(chat => chat.WithRateLimits("100kb/s", "1mb/s"));

        Assert.Equal("100kb/s", environment["PROSODY_C2S_RATE_LIMIT"]);
        Assert.Equal("1mb/s", environment["PROSODY_S2S_RATE_LIMIT"]);
    }

    [Fact]
    public async Task WithRateLimitsLeavesAnOmittedLimitToTheImage()
    {
        var environment = await EnvironmentOf(chat => chat.WithRateLimits(clientToServer: "50kb/s"));

        Assert.Equal("50kb/s", environment["PROSODY_C2S_RATE_LIMIT"]);
        Assert.DoesNotContain("PROSODY_S2S_RATE_LIMIT", environment.Keys);
    }

    [Fact]
    public async Task WithMessageArchiveSetsTheArchiveExpiry()
    {
        var environment = await EnvironmentOf(chat => chat.WithMessageArchive(30));

        Assert.Equal("30", environment["PROSODY_ARCHIVE_EXPIRY_DAYS"]);
        Assert.DoesNotContain("PROSODY_MUC_MODULES", environment.Keys);
    }

    [Fact]
    public async Task WithMultiUserChatDeclaresAMucComponentThatArchivesWhenTheArchiveIsOn()
    {
        var environment = await EnvironmentOf(chat => chat.WithMultiUserChat().WithMessageArchive());

        Assert.Equal("conference.chat.dev.localhost:muc", environment["PROSODY_COMPONENTS"]);
        Assert.Equal("muc_mam", environment["PROSODY_MUC_MODULES"]);
    }

    [Fact]
    public async Task WithFileShareDeclaresTheComponentAndItsLimits()
    {
        var environment = await EnvironmentOf(chat => chat.WithMultiUserChat("rooms").WithFileShare("files", sizeLimitMegabytes: 50, quotaGigabytes: 2));

        Assert.Equal("rooms.chat.dev.localhost:muc,files.chat.dev.localhost:http_file_share", environment["PROSODY_COMPONENTS"]);
        Assert.Equal("50", environment["PROSODY_UPLOAD_LIMIT_MB"]);
        Assert.Equal("2", environment["PROSODY_UPLOAD_STORAGE_GB"]);
    }

    [Fact]
    public async Task TheEnvironmentNeverSetsDaneOrTheImagesOwnRegistrationVariables()
    {
        var environment = await EnvironmentOf(chat => chat.WithUser("alice").WithMultiUserChat().WithFileShare().WithMessageArchive().WithFederation());

        Assert.DoesNotContain("PROSODY_USE_DANE", environment.Keys);
        // LOCAL/DOMAIN/PASSWORD would put a password on prosodyctl's command line and stop the container when storage is down.
        Assert.DoesNotContain("PASSWORD", environment.Keys);
        Assert.DoesNotContain("LOCAL", environment.Keys);
    }

    [Fact]
    public async Task PublishModeKeepsPasswordsAsParameterReferences()
    {
        var environment = await EnvironmentOf(chat => chat.WithUser("alice"), DistributedApplicationOperation.Publish);

        Assert.IsType<ParameterResource>(environment["ASPIRE_ACCOUNT_1_PASSWORD"]);
        Assert.IsType<ParameterResource>(environment["ASPIRE_ACCOUNT_2_PASSWORD"]);
    }
}
