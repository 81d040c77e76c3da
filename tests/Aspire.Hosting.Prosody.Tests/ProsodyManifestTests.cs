using System.Text.Json.Nodes;

namespace Aspire.Hosting.Prosody.Tests;

public class ProsodyManifestTests
{
    [Fact]
    public async Task ThePublishedManifestBuildsTheDerivedImageAndNamesEndpointsAndSecretsOnlyAsPlaceholders()
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var bobPassword = builder.AddParameter("bob-password", secret: true);
        var chat = builder.AddProsody("chat").WithDomain("xmpp.example.com").WithUser("bob", bobPassword);
        using var app = await builder.BuildCompletedAsync();

        var manifest = await app.ManifestAsync(chat.Resource);

        Assert.Equal("container.v1", manifest["type"]!.GetValue<string>());
        Assert.Null(manifest["image"]);
        Assert.NotNull(manifest["build"]!["context"]);
        Assert.Equal("Host={chat.bindings.c2s.host};Port={chat.bindings.c2s.port};Domain=xmpp.example.com", manifest["connectionString"]!.GetValue<string>());

        var env = manifest["env"]!.AsObject();
        Assert.Equal("{chat-password.value}", env["ASPIRE_ACCOUNT_1_PASSWORD"]!.GetValue<string>());
        Assert.Equal("{bob-password.value}", env["ASPIRE_ACCOUNT_2_PASSWORD"]!.GetValue<string>());
        Assert.Equal("{chat-tls-certificate.value}", env["ASPIRE_TLS_CERTIFICATE"]!.GetValue<string>());
        Assert.Equal("{chat-tls-key.value}", env["ASPIRE_TLS_KEY"]!.GetValue<string>());
        Assert.Equal("xmpp.example.com", env["PROSODY_VIRTUAL_HOSTS"]!.GetValue<string>());
        Assert.Null(manifest["args"]);

        var bindings = manifest["bindings"]!.AsObject();
        Assert.Equal(5222, bindings["c2s"]!["targetPort"]!.GetValue<int>());
        Assert.Equal(5280, bindings["http"]!["targetPort"]!.GetValue<int>());
        Assert.Equal(5281, bindings["https"]!["targetPort"]!.GetValue<int>());
        Assert.False(bindings.ContainsKey("s2s"));
    }

    [Fact]
    public async Task ThePublishedManifestHoldsNoSecretValue()
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var password = builder.AddParameter("pw", "Very-Secret-42", secret: true);
        var chat = builder.AddProsody("chat", adminPassword: password).WithUser("alice", password);
        using var app = builder.Build();

        var manifest = await app.ManifestAsync(chat.Resource);

        Assert.DoesNotContain("Very-Secret-42", manifest.ToJsonString());
    }
}
