namespace Aspire.Hosting.Prosody.Commands;

/// <summary>
/// The dashboard commands of a Prosody resource: account management through Prosody's admin shell, and
/// prosodyctl's checks. Each returns a message that says what happened.
/// </summary>
internal static class ProsodyCommands
{
    public const string CreateUser = "prosody-create-user";
    public const string SetPassword = "prosody-set-password";
    public const string CheckConfig = "prosody-check-config";
    public const string CheckTurn = "prosody-check-turn";
    public const string Reload = "prosody-reload";

    internal static IResourceBuilder<ProsodyResource> WithProsodyCommands(this IResourceBuilder<ProsodyResource> builder)
    {
        var prosody = builder.Resource;
        return builder
            .WithCommand(CreateUser, "Create user", context =>
            {
                var role = context.Arguments.GetBoolean("admin") ? "prosody:admin" : "prosody:member";
                return ShellAsync(context, prosody, $"user:create({Jid(context, prosody)}, {LuaSyntax.String(context.Arguments.GetString("password") ?? "")}, {LuaSyntax.String(role)})");
            }, Options("Creates an account on the server (its password is typed here, never passed on a command line).", "PersonAdd",
                UserInput(), PasswordInput(), new InteractionInput { Name = "admin", Label = "Administrator", InputType = InputType.Boolean }))
            .WithCommand(SetPassword, "Change password", context =>
                ShellAsync(context, prosody, $"user:password({Jid(context, prosody)}, {LuaSyntax.String(context.Arguments.GetString("password") ?? "")})"),
                Options("Sets a new password for an account.", "Key", UserInput(), PasswordInput()))
            .WithCommand(CheckConfig, "Check configuration", context => CheckAsync(context, "config"),
                Options("Runs 'prosodyctl check config' in the container.", "DocumentCheckmark"))
            .WithCommand(CheckTurn, "Check TURN", async context => await CheckAsync(context, "turn", await TurnCheckEnvironmentAsync(prosody, context.CancellationToken).ConfigureAwait(false)).ConfigureAwait(false),
                Options("Runs 'prosodyctl check turn': asks the TURN server for an allocation with the credentials Prosody hands out.", "CallCheckmark"))
            .WithCommand(Reload, "Reload configuration", context => ShellAsync(context, prosody, "config:reload()"),
                Options("Reloads Prosody's configuration without a restart.", "ArrowSync"));
    }

    private static CommandOptions Options(string description, string icon, params InteractionInput[] inputs)
    {
        var options = new CommandOptions
        {
            Description = description,
            IconName = icon,
            UpdateState = context => context.ResourceSnapshot.State?.Text == KnownResourceStates.Running ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
        };
        if (inputs.Length > 0)
        {
            options.Arguments = inputs;
            options.ValidateArguments = ValidateAsync;
        }

        return options;
    }

    private static InteractionInput UserInput() => new() { Name = "user", Label = "User name", InputType = InputType.Text, Required = true, Placeholder = "alice" };

    private static InteractionInput PasswordInput() => new() { Name = "password", Label = "Password", InputType = InputType.SecretText, Required = true };

    private static Task ValidateAsync(InputsDialogValidationContext context)
    {
        if (context.Inputs.TryGetByName("user", out var user))
        {
            try
            {
                ProsodyValidation.UserName(user.Value, "user");
            }
            catch (ArgumentException ex)
            {
                context.AddValidationError(user, ex.Message.Split(" (Parameter")[0]);
            }
        }

        return Task.CompletedTask;
    }

    private static string Jid(ExecuteCommandContext context, ProsodyResource prosody) =>
        LuaSyntax.String($"{ProsodyValidation.UserName(context.Arguments.GetString("user"), "user")}@{prosody.Domain}");

    /// <summary>Sends one admin-shell statement on standard input; the shell prints "| OK: …" or "! Error: …".</summary>
    private static async Task<ExecuteCommandResult> ShellAsync(ExecuteCommandContext context, ProsodyResource prosody, string statement)
    {
        var (exitCode, output) = await ContainerExec.RunAsync(context, statement + "\n", "prosodyctl", "shell").ConfigureAwait(false);
        var lines = output.Split('\n').Select(l => l.Trim()).ToArray();
        var ok = lines.FirstOrDefault(l => l.StartsWith("| OK:", StringComparison.Ordinal));
        var error = lines.FirstOrDefault(l => l.StartsWith("! ", StringComparison.Ordinal));
        return exitCode == 0 && ok is not null && error is null
            ? CommandResults.Success(ok[2..].Trim())
            : CommandResults.Failure(error?[2..].Trim() ?? $"{prosody.Name}: {LastLine(output)}");
    }

    /// <summary>
    /// prosodyctl checks the TURN address clients are told. For the app model's own coturn that is 127.0.0.1 in run
    /// mode, which inside Prosody's container is Prosody: point the check at coturn's container-network name instead.
    /// </summary>
    private static async Task<IReadOnlyDictionary<string, string>> TurnCheckEnvironmentAsync(ProsodyResource prosody, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>();
        if (prosody.Settings.Turn?.ContainerNetworkEndpoint is { } endpoint)
        {
            environment["PROSODY_TURN_HOST"] = await endpoint.Property(EndpointProperty.Host).GetValueAsync(cancellationToken).ConfigureAwait(false) ?? "";
            environment["PROSODY_TURN_PORT"] = await endpoint.Property(EndpointProperty.TargetPort).GetValueAsync(cancellationToken).ConfigureAwait(false) ?? "";
        }

        return environment;
    }

    private static async Task<ExecuteCommandResult> CheckAsync(ExecuteCommandContext context, string what, IReadOnlyDictionary<string, string>? environment = null)
    {
        var (exitCode, output) = await ContainerExec.RunAsync(context, null, environment ?? new Dictionary<string, string>(), "prosodyctl", "check", what).ConfigureAwait(false);
        return exitCode == 0
            ? CommandResults.Success($"prosodyctl check {what}: all checks passed.", output)
            : CommandResults.Failure($"prosodyctl check {what} found problems: {LastProblem(output)}", output);
    }

    private static string LastLine(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Trim() ?? "no output";

    private static string LastProblem(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim())
            .FirstOrDefault(l => l.StartsWith("Error", StringComparison.OrdinalIgnoreCase) || l.Contains("fail", StringComparison.OrdinalIgnoreCase))
        ?? LastLine(output);
}
