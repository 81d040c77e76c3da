namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>Federation as a user sets it up: two AddProsody resources with default domains and only WithFederation.</summary>
[RequiresContainers(ContainerImage.Prosody)]
public class FederationFunctionalTests
{
    [Fact]
    public Task TwoResourcesWithDefaultDomainsFederateBothWaysWithSecureAuthentication() => FederateBothWaysAsync(imageTag: null);

    [Fact]
    [RequiresContainers(ContainerImage.Prosody012)]
    public Task TwoResourcesOnProsody012FederateBothWaysWithSecureAuthentication() => FederateBothWaysAsync("0.12");

    private static async Task FederateBothWaysAsync(string? imageTag)
    {
        var builder = TestApp.CreateBuilder();
        var alicePassword = builder.AddPassword("alice-password");
        var bobPassword = builder.AddPassword("bob-password");
        // Defaults: chat.dev.localhost and peer.dev.localhost, secure authentication (certificates) required.
        var chat = builder.AddProsody("chat").WithUser("alice", alicePassword).WithFederation()
            .WithLogLevel(ProsodyLogLevel.Debug); // the log shows how each side authenticated the other
        var peer = builder.AddProsody("peer").WithUser("bob", bobPassword).WithFederation()
            .WithLogLevel(ProsodyLogLevel.Debug);
        if (imageTag is not null)
        {
            chat.WithImageTag(imageTag);
            peer.WithImageTag(imageTag);
        }

        await using var app = await builder.StartAsync("chat", "peer");

        // The client a service uses: it signs in over STARTTLS only, validating each server's certificate, and sends presence.
        await using var alice = await chat.Resource.ConnectPackageClientAsync("alice", await alicePassword.ValueAsync());
        await using var bob = await peer.Resource.ConnectPackageClientAsync("bob", await bobPassword.ValueAsync());

        await alice.SendMessageAsync(Jid.Parse("bob@peer.dev.localhost"), "Hello from chat", cancellationToken: Cancel);
        var atBob = Assert.Single(await bob.ReceiveUntilAsync(_ => true, StanzaTimeout));
        Assert.Equal("Hello from chat", atBob.Body);
        Assert.Equal("alice@chat.dev.localhost", atBob.From.Bare.ToString());

        await bob.SendMessageAsync(Jid.Parse("alice@chat.dev.localhost"), "Hello from peer", cancellationToken: Cancel);
        var atAlice = Assert.Single(await alice.ReceiveUntilAsync(_ => true, StanzaTimeout));
        Assert.Equal("Hello from peer", atAlice.Body);
        Assert.Equal("bob@peer.dev.localhost", atAlice.From.Bare.ToString());

        // Secure authentication, not dialback: each side validated the other's certificate and used SASL EXTERNAL.
        foreach (var (resource, remote) in new[] { (chat.Resource, "peer.dev.localhost"), (peer.Resource, "chat.dev.localhost") })
        {
            var log = await app.ConsoleLinesAsync(resource);
            Assert.Contains(log, line => line.Contains("certificate chain validation result: valid", StringComparison.Ordinal));
            Assert.Contains(log, line => line.Contains($"SASL EXTERNAL with {remote} succeeded", StringComparison.Ordinal));
        }
    }
}
