using Aspire.Hosting.Prosody.Commands;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>The dashboard commands, executed through Aspire's command service against a running container.</summary>
[RequiresContainers(ContainerImage.Prosody)]
public class CommandsFunctionalTests
{
    [Fact]
    public async Task TheDashboardCommandsCreateAUserChangeItsPasswordAndRunProsodysChecks()
    {
        var builder = TestApp.CreateBuilder();
        var chat = builder.AddProsody("chat");
        await using var app = await builder.StartAsync("chat");

        var created = await app.ResourceCommands.ExecuteCommandAsync(chat.Resource, ProsodyCommands.CreateUser,
            Inputs(("user", "erin"), ("password", "first \"quoted\" pass"), ("admin", "false")), Cancel);
        Assert.True(created.Success, created.Message);
        Assert.Contains("erin@chat.dev.localhost", created.Message);
        await (await chat.Resource.SignInAsync("erin", "first \"quoted\" pass")).DisposeAsync();

        var again = await app.ResourceCommands.ExecuteCommandAsync(chat.Resource, ProsodyCommands.CreateUser,
            Inputs(("user", "erin"), ("password", "x"), ("admin", "false")), Cancel);
        Assert.False(again.Success);
        Assert.Contains("exists", again.Message);

        var changed = await app.ResourceCommands.ExecuteCommandAsync(chat.Resource, ProsodyCommands.SetPassword,
            Inputs(("user", "erin"), ("password", "second")), Cancel);
        Assert.True(changed.Success, changed.Message);
        await (await chat.Resource.SignInAsync("erin", "second")).DisposeAsync();
        await Assert.ThrowsAsync<XmppAuthenticationException>(() => chat.Resource.SignInAsync("erin", "first \"quoted\" pass"));

        var config = await app.ResourceCommands.ExecuteCommandAsync(chat.Resource, ProsodyCommands.CheckConfig, Cancel);
        Assert.True(config.Success, config.Message);

        // No TURN server in this model: the check must say so rather than pass.
        var turn = await app.ResourceCommands.ExecuteCommandAsync(chat.Resource, ProsodyCommands.CheckTurn, Cancel);
        Assert.False(turn.Success);
        Assert.Contains("TURN", turn.Message);

        var reload = await app.ResourceCommands.ExecuteCommandAsync(chat.Resource, ProsodyCommands.Reload, Cancel);
        Assert.True(reload.Success, reload.Message);
        Assert.Contains("reloaded", reload.Message, StringComparison.OrdinalIgnoreCase);
    }

    private static InteractionInputCollection Inputs(params (string Name, string Value)[] values) =>
        new(values.Select(v => new InteractionInput { Name = v.Name, InputType = v.Name == "admin" ? InputType.Boolean : InputType.Text, Value = v.Value }).ToList());
}
