namespace Aspire.Hosting.Prosody.Tests;

/// <summary>Bad input fails while the app model is built, naming the argument and the fix.</summary>
public class ProsodyArgumentValidationTests
{
    private static IResourceBuilder<ProsodyResource> Chat() => TestModel.CreateBuilder().AddProsody("chat");

    [Fact]
    public void FederationOnTheHostPortOfTheClientEndpointIsRejectedNamingBothEndpoints()
    {
        var chat = TestModel.CreateBuilder().AddProsody("chat", port: 25222);

        var error = Assert.Throws<ArgumentException>("port", () => chat.WithFederation(port: 25222));

        Assert.Contains("'s2s'", error.Message);
        Assert.Contains("'c2s'", error.Message);
        Assert.DoesNotContain(chat.Resource.Annotations.OfType<EndpointAnnotation>(), e => e.Name == "s2s");
        Assert.Null(chat.Resource.Settings.Federation);
        chat.WithFederation(port: 25269);
    }

    [Theory]
    [InlineData("https://chat.example.com", "https://chat.example.com/")]
    [InlineData("https://chat.example.com:8443/xmpp", "https://chat.example.com:8443/xmpp/")]
    [InlineData("http://192.0.2.7/", "http://192.0.2.7/")]
    [InlineData("https://[2001:db8::1]:443/", "https://[2001:db8::1]/")]
    [InlineData("https://chat.example.com/a]]..--[[b", "https://chat.example.com/a]]..--[[b/")]
    public void APublicUrlIsKeptWithATrailingSlash(string url, string expected)
    {
        var chat = Chat().WithPublicUrl(new Uri(url));

        Assert.Equal(expected, chat.Resource.Settings.PublicUrl?.Value);
    }

    [Theory]
    [InlineData("/relative")]
    [InlineData("ftp://chat.example.com/")]
    [InlineData("file:///etc/passwd")]
    [InlineData("https://user:secret@chat.example.com/")]
    [InlineData("https://chat.example.com/?a=b")]
    [InlineData("https://chat.example.com/#top")]
    [InlineData("https://chat.example.com/a\"b")]
    [InlineData("https://bücher.example/")]
    public void APublicUrlThatIsNotAPlainAbsoluteHttpUrlIsRejectedNamingTheArgumentAndTheFix(string url)
    {
        var uri = new Uri(url, UriKind.RelativeOrAbsolute);

        var error = Assert.Throws<ArgumentException>("publicUrl", () => Chat().WithPublicUrl(uri));

        Assert.Contains("https://chat.example.com/", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NullPublicUrlsAreRejected()
    {
        Assert.Throws<ArgumentNullException>("publicUrl", () => Chat().WithPublicUrl((Uri)null!));
        Assert.Throws<ArgumentNullException>("publicUrl", () => Chat().WithPublicUrl((IResourceBuilder<ParameterResource>)null!));
    }

    [Fact]
    public void NullBuildersAreRejected()
    {
        IDistributedApplicationBuilder appBuilder = null!;
        IResourceBuilder<ProsodyResource> chat = null!;

        Assert.Throws<ArgumentNullException>("builder", () => appBuilder.AddProsody("chat"));
        Assert.Throws<ArgumentNullException>("builder", () => chat.WithDomain("a.b"));
        Assert.Throws<ArgumentNullException>("builder", () => chat.WithUser("alice"));
        Assert.Throws<ArgumentNullException>("builder", () => chat.WithAdminUserName("root"));
        Assert.Throws<ArgumentNullException>("builder", () => chat.WithEnabledModules("mam"));
        Assert.Throws<ArgumentNullException>("builder", () => chat.WithDisabledModules("mam"));
        Assert.Throws<ArgumentNullException>("builder", () => chat.WithLogLevel(ProsodyLogLevel.Info));
        Assert.Throws<ArgumentNullException>("builder", () => chat.WithRateLimits("1kb/s"));
        Assert.Throws<ArgumentNullException>("builder", () => chat.WithMessageArchive());
        Assert.Throws<ArgumentNullException>("builder", () => chat.WithMultiUserChat());
        Assert.Throws<ArgumentNullException>("builder", () => chat.WithFileShare());
        Assert.Throws<ArgumentNullException>("builder", () => chat.WithWebSocket());
        Assert.Throws<ArgumentNullException>("builder", () => chat.WithBosh());
        Assert.Throws<ArgumentNullException>("builder", () => chat.WithFederation());
        Assert.Throws<ArgumentNullException>("builder", () => chat.WithExtraConfiguration("x = 1"));
        Assert.Throws<ArgumentNullException>("builder", () => chat.WithConfigurationFile("x.lua"));
        Assert.Throws<ArgumentNullException>("builder", () => chat.WithDataVolume());
        Assert.Throws<ArgumentNullException>("builder", () => chat.WithDataBindMount("data"));
        Assert.Throws<ArgumentNullException>("builder", () => chat.WithMetrics());
        Assert.Throws<ArgumentNullException>("builder", () => chat.WithSqliteStorage());
        Assert.Throws<ArgumentNullException>("builder", () => chat.WithTurnServer());
        Assert.Throws<ArgumentNullException>("builder", () => chat.AddExternalComponent("bot"));
        Assert.Throws<ArgumentNullException>("builder", () => chat.WithCertificate("a.crt", "a.key"));
        Assert.Throws<ArgumentNullException>("builder", () => chat.WithCertificatesDirectory("certs"));

        var model = TestModel.CreateBuilder();
        var parameter = model.AddParameter("p", secret: true);
        Assert.Throws<ArgumentNullException>("builder", () => chat.WithPostgres(model.AddPostgres("pg").AddDatabase("db")));
        Assert.Throws<ArgumentNullException>("builder", () => chat.WithSqlDatabase(ProsodySqlDriver.MySql, parameter, parameter, parameter, parameter));
        Assert.Throws<ArgumentNullException>("builder", () => chat.WithExternalTurn("turn.example.com", 3478, parameter));
        Assert.Throws<ArgumentNullException>("database", () => Chat().WithPostgres(null!));
        Assert.Throws<ArgumentNullException>("host", () => Chat().WithSqlDatabase(ProsodySqlDriver.MySql, null!, parameter, parameter, parameter));
        Assert.Throws<ArgumentNullException>("secret", () => Chat().WithExternalTurn("turn.example.com", 3478, null!));
    }

    [Fact]
    public void TheResourceNameIsRequired()
    {
        var builder = TestModel.CreateBuilder();

        Assert.Throws<ArgumentNullException>("name", () => builder.AddProsody(null!));
        Assert.Throws<ArgumentException>("name", () => builder.AddProsody(""));
    }

    [Fact]
    public void TheAdminPasswordParameterIsRequiredByTheResource()
    {
        Assert.Throws<ArgumentNullException>("adminPassword", () => new ProsodyResource("chat", null!));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Chat.Example.com")]
    [InlineData("chat example.com")]
    [InlineData("chat.example.com.")]
    [InlineData("-chat.example.com")]
    [InlineData("chat..example.com")]
    [InlineData("chät.example.com")]
    [InlineData("chat.example.com\n")]
    [InlineData("chat.example.com\"; os.exit() --")]
    [InlineData("admin@chat.example.com")]
    public void AnInvalidDomainIsRejectedWithTheFix(string domain)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => Chat().WithDomain(domain));

        Assert.Equal("domain", error.ParamName);
        Assert.DoesNotContain('\n', error.Message.Split(" (Parameter")[0]);
    }

    [Fact]
    public void AnInvalidDomainMessageSaysWhatToUse()
    {
        var error = Assert.Throws<ArgumentException>(() => Chat().WithDomain("Chat.Example.com"));

        Assert.Contains("lowercase", error.Message);
        Assert.Contains("chat.example.com", error.Message);
    }

    [Theory]
    [InlineData("k1--7r8l118.localhost")]
    [InlineData("ab--cd.example")]
    [InlineData("xn--zz.example")]
    [InlineData("xn--a.example")]
    [InlineData("xn--bcher-kvb.example")]
    [InlineData("xn--.example")]
    [InlineData("chat.xn--bcher-kva-.example")]
    public void ADomainProsodyRefusesAsReservedOrInvalidPunycodeIsRejected(string domain)
    {
        // Prosody 13's idna.to_ascii refuses each of these (measured in the image).
        var error = Assert.Throws<ArgumentException>("domain", () => Chat().WithDomain(domain));
        Assert.Contains("third and fourth", error.Message);
        Assert.Contains("valid punycode", error.Message);
    }

    [Theory]
    [InlineData("xn--bcher-kva.example")]
    [InlineData("chat.xn--bcher-kva.example")]
    [InlineData("xn--p1ai")]
    [InlineData("xn--9ca.xn--4ca.example")]
    public void APunycodeDomainProsodyAcceptsIsAccepted(string domain)
    {
        // Prosody 13's idna.to_ascii and jid.prep keep each of these as written (measured in the image).
        Assert.Equal(domain, Chat().WithDomain(domain).Resource.Domain);
        Assert.Equal("xn--9ca", Chat().WithDomain(domain).WithMultiUserChat("xn--9ca").Resource.Settings.MultiUserChat!.Subdomain);
    }

    [Theory]
    [InlineData("a--b.example")]
    [InlineData("abc--d.example")]
    [InlineData("a-b-c.example")]
    public void HyphensElsewhereInALabelAreAllowed(string domain)
    {
        Assert.Equal(domain, Chat().WithDomain(domain).Resource.Domain);
    }

    [Fact]
    public void ADomainLongerThanDnsAllowsIsRejected()
    {
        Assert.Throws<ArgumentException>("domain", () => Chat().WithDomain(string.Join('.', Enumerable.Repeat(new string('a', 60), 5))));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Alice")]
    [InlineData("alice@chat.dev.localhost")]
    [InlineData("al ice")]
    [InlineData("alice/phone")]
    [InlineData("al:ice")]
    [InlineData("al\"ice")]
    [InlineData("alice\n")]
    [InlineData(".alice")]
    public void AnInvalidUserNameIsRejected(string userName)
    {
        Assert.ThrowsAny<ArgumentException>(() => Chat().WithUser(userName));
        Assert.ThrowsAny<ArgumentException>(() => Chat().WithAdminUserName(userName));
    }

    [Fact]
    public void ADuplicateUserIsRejected()
    {
        var chat = Chat().WithUser("alice");

        var error = Assert.Throws<ArgumentException>("userName", () => chat.WithUser("alice"));
        Assert.Contains("already declared", error.Message);
        Assert.Throws<ArgumentException>("userName", () => chat.WithUser("admin"));
        Assert.Throws<ArgumentException>("userName", () => chat.WithAdminUserName("alice"));
    }

    [Theory]
    [InlineData("mam,carbons")]
    [InlineData("mam carbons")]
    [InlineData(" mam")]
    [InlineData("mod_mam.lua")]
    [InlineData("Mam")]
    [InlineData("")]
    public void AnInvalidModuleNameIsRejected(string module)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => Chat().WithEnabledModules("carbons", module));
        Assert.Equal("modules", error.ParamName);
        Assert.ThrowsAny<ArgumentException>(() => Chat().WithDisabledModules(module));
    }

    [Fact]
    public void ARejectedModuleListChangesNothing()
    {
        var chat = Chat();

        Assert.ThrowsAny<ArgumentException>(() => chat.WithEnabledModules("carbons", "bad module"));
        Assert.Empty(chat.Resource.Settings.EnabledModules);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65536)]
    public void APortOutsideTheValidRangeIsRejected(int port)
    {
        var builder = TestModel.CreateBuilder();

        Assert.Throws<ArgumentOutOfRangeException>("port", () => builder.AddProsody("chat", port: port));
        Assert.Throws<ArgumentOutOfRangeException>("port", () => Chat().WithFederation(port));
    }

    [Theory]
    [InlineData("10 kb")]
    [InlineData("fast")]
    [InlineData("10kb/s,")]
    [InlineData("-1kb/s")]
    [InlineData("10kb/s\n")]
    public void AnInvalidRateIsRejected(string rate)
    {
        Assert.Throws<ArgumentException>("clientToServer", () => Chat().WithRateLimits(clientToServer: rate));
        Assert.Throws<ArgumentException>("serverToServer", () => Chat().WithRateLimits(serverToServer: rate));
    }

    [Theory]
    [InlineData("")]
    [InlineData("conference.chat")]
    [InlineData("Rooms")]
    [InlineData("rooms,x")]
    public void AnInvalidSubdomainIsRejected(string subdomain)
    {
        Assert.ThrowsAny<ArgumentException>(() => Chat().WithMultiUserChat(subdomain));
        Assert.ThrowsAny<ArgumentException>(() => Chat().WithFileShare(subdomain));
    }

    [Fact]
    public void ASubdomainWithHyphensInPositionsThreeAndFourIsRejected()
    {
        Assert.Throws<ArgumentException>("subdomain", () => Chat().WithMultiUserChat("xn--rooms-"));
        Assert.Throws<ArgumentException>("subdomain", () => Chat().WithFileShare("ab--c"));
        Assert.Throws<ArgumentException>("subdomain", () => Chat().AddExternalComponent("bot", subdomain: "xn--zz"));
    }

    [Fact]
    public void AComponentDomainLongerThanDnsAllowsIsRejectedNamingWhatToShorten()
    {
        var domain = $"{new string('d', 63)}.{new string('d', 63)}.{new string('d', 63)}.ee"; // 194 characters
        var label = new string('m', 59); // label.domain: 254 characters

        Assert.Throws<ArgumentException>("subdomain", () => Chat().WithDomain(domain).WithMultiUserChat(label));
        Assert.Throws<ArgumentException>("subdomain", () => Chat().WithDomain(domain).WithFileShare(label));
        Assert.Throws<ArgumentException>("subdomain", () => Chat().WithDomain(domain).AddExternalComponent("bot", subdomain: label));
        var error = Assert.Throws<ArgumentException>("domain", () => Chat().WithMultiUserChat(label).WithDomain(domain));
        Assert.Contains("253", error.Message);

        // One character less fits.
        Assert.Equal(253, Chat().WithDomain(domain).WithMultiUserChat(label[1..]).Resource.Settings.ComponentSubdomains.Single().Length + 1 + domain.Length);
    }

    [Fact]
    public void AResourceNameTooLongForTheDefaultDomainIsRejected()
    {
        // Aspire allows 64 characters; the default domain's first label, the name, can have 63.
        var error = Assert.Throws<ArgumentException>("name", () => TestModel.CreateBuilder().AddProsody(new string('a', 64)));
        Assert.Contains("63", error.Message);
        Assert.Equal($"{new string('a', 63)}.dev.localhost", TestModel.CreateBuilder().AddProsody(new string('a', 63)).Resource.Domain);
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("a,b")]
    [InlineData("1a")]
    [InlineData("a--b")]
    [InlineData("bot-")]
    [InlineData("\u212A")] // the Kelvin sign, whose lower case is ASCII "k"
    public void AnExternalComponentWithAnInvalidNameIsRejectedNamingTheNameAndChangesNothing(string name)
    {
        var chat = Chat();

        Assert.Throws<ArgumentException>("name", () => chat.AddExternalComponent(name));

        Assert.Empty(chat.Resource.Settings.ExternalComponents);
        Assert.DoesNotContain(chat.Resource.Annotations.OfType<EndpointAnnotation>(), e => e.Name == ProsodyResource.ComponentEndpointName);
        Assert.Single(chat.ApplicationBuilder.Resources.OfType<ProsodyResource>());
        Assert.Empty(chat.ApplicationBuilder.Resources.OfType<ProsodyComponentResource>());
    }

    [Fact]
    public void AnExternalComponentWhoseNameIsTakenLeavesNoComponentInTheConfiguration()
    {
        var chat = Chat();
        chat.ApplicationBuilder.AddContainer("bridge", "alpine");

        Assert.ThrowsAny<Exception>(() => chat.AddExternalComponent("bridge", subdomain: "gateway"));

        Assert.Empty(chat.Resource.Settings.ExternalComponents);
    }

    [Fact]
    public void TwoComponentsCannotShareASubdomain()
    {
        var error = Assert.Throws<ArgumentException>("subdomain", () => Chat().WithMultiUserChat("x").WithFileShare("x"));
        Assert.Contains("own subdomain", error.Message);
    }

    [Fact]
    public void OutOfRangeNumbersAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>("retentionDays", () => Chat().WithMessageArchive(0));
        Assert.Throws<ArgumentOutOfRangeException>("sizeLimitMegabytes", () => Chat().WithFileShare(sizeLimitMegabytes: 0));
        Assert.Throws<ArgumentOutOfRangeException>("quotaGigabytes", () => Chat().WithFileShare(quotaGigabytes: -5));
        Assert.Throws<ArgumentOutOfRangeException>("expiryDays", () => Chat().WithFileShare(expiryDays: 0));
        Assert.Throws<ArgumentOutOfRangeException>("level", () => Chat().WithLogLevel((ProsodyLogLevel)42));
    }

    [Fact]
    public void AMissingConfigurationFileIsRejected()
    {
        var error = Assert.Throws<FileNotFoundException>(() => Chat().WithConfigurationFile("does-not-exist.cfg.lua"));
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public void EmptyExtraConfigurationIsRejected()
    {
        Assert.Throws<ArgumentException>("lua", () => Chat().WithExtraConfiguration(" "));
    }
}
