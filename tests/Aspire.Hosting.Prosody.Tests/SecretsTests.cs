using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aspire.Hosting.Prosody.Tests;

/// <summary>
/// Secrets reach containers as environment variables only. A model with every secret-bearing feature on (the
/// administrator and users, SQL credentials as parameters and from a PostgreSQL resource, the TURN server's and an
/// external TURN service's shared secret, an external component's secret) is generated in run and in publish mode,
/// and every other output is searched for each secret value, raw and in every encoding an output could use.
/// </summary>
public class SecretsTests
{
    public static TheoryData<DistributedApplicationOperation> Modes => new() { DistributedApplicationOperation.Run, DistributedApplicationOperation.Publish };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task NoSecretValueAppearsInArgumentsRuntimeArgumentsContainerFilesOrTheGeneratedLua(DistributedApplicationOperation operation)
    {
        using var model = await SecretModel.BuildAsync(operation);

        var outputs = await UnresolvedOutputsAsync(model.App);

        // The generated Lua is among the files searched; make sure it is there and complete.
        var lua = Assert.Single(outputs, o => o.Where == $"file {ProsodyConfiguration.ConfigDirectory}/{ProsodyConfiguration.ConfigFileName}" && o.Text.Contains("chat.dev.localhost")).Text;
        Assert.Contains("password_variable = \"ASPIRE_ACCOUNT_2_PASSWORD\"", lua);
        Assert.Contains("sql = {", lua);
        // Prosody logs the sql table at debug level: the database password is not in it, even as a variable name.
        Assert.DoesNotContain("password =", lua);
        Assert.Contains("component_secret = ENV_ASPIRE_COMPONENT_1_SECRET", lua);
        Assert.Contains(outputs, o => o.Where == "chat-turn argument 1" && o.Text.Contains("\"$TURN_SECRET\""));

        AssertNoSecretIn(outputs, model.Secrets);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task ResolvedArgumentsHoldNoSecretValue(DistributedApplicationOperation operation)
    {
        using var model = await SecretModel.BuildAsync(operation);

        var outputs = new List<(string Where, string Text)>();
        foreach (var resource in model.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ContainerResource>())
        {
            var result = await ResolveAsync(model.App, resource, operation, arguments: true);
            outputs.AddRange(result.Arguments.Select((arg, i) => ($"{resource.Name} resolved argument {i}", arg.Value)));
        }

        Assert.Contains(outputs, o => o.Where.StartsWith("chat-turn", StringComparison.Ordinal));
        AssertNoSecretIn(outputs, model.Secrets);
    }

    [Fact]
    public async Task ThePublishedManifestHoldsEverySecretOnlyAsItsParameterPlaceholder()
    {
        using var model = await SecretModel.BuildAsync(DistributedApplicationOperation.Publish);

        var manifest = await SecretsManifest.WriteAsync(model.App);
        AssertNoSecretIn([("manifest", manifest.ToJsonString())], model.Secrets);

        // Where a secret is needed, the manifest holds exactly the parameter's placeholder, nothing resolved.
        var resources = manifest["resources"]!.AsObject();
        Assert.Equal("{admin-password.value}", Env("chat", "ASPIRE_ACCOUNT_1_PASSWORD"));
        Assert.Equal("{alice-password.value}", Env("chat", "ASPIRE_ACCOUNT_2_PASSWORD"));
        Assert.Equal("{chat-carol-password.value}", Env("chat", "ASPIRE_ACCOUNT_3_PASSWORD"));
        Assert.Equal("{sql-password.value}", Env("chat", "MYSQL_PWD"));
        Assert.Equal("{turn-secret.value}", Env("chat", "PROSODY_TURN_SECRET"));
        Assert.Equal("{turn-secret.value}", Env("chat-turn", "TURN_SECRET"));
        Assert.Equal("{bridge-secret.value}", Env("chat", "ASPIRE_COMPONENT_1_SECRET"));
        Assert.Equal("{pg-password.value}", Env("chat2", "PGPASSWORD"));
        Assert.Equal("{external-turn-secret.value}", Env("chat2", "PROSODY_TURN_SECRET"));
        Assert.Equal("{chat-tls-key.value}", Env("chat", "ASPIRE_TLS_KEY"));
        Assert.Equal("{chat2-tls-key.value}", Env("chat2", "ASPIRE_TLS_KEY"));
        Assert.EndsWith(";Secret={bridge-secret.value}", resources["bridge"]!["connectionString"]!.GetValue<string>());
        foreach (var name in new[] { "chat", "chat2", "chat-turn" })
        {
            Assert.Null(resources[name]!["args"]?.AsArray().FirstOrDefault(arg => arg!.GetValue<string>().Contains(".value}", StringComparison.Ordinal)));
        }

        // Secret parameters are declared secret, with no default value written out.
        foreach (var name in model.SecretParameterNames)
        {
            var input = resources[name]!["inputs"]!["value"]!;
            Assert.True(input["secret"]!.GetValue<bool>(), $"{name} should be declared secret");
            Assert.Null(input["default"]?["value"]);
        }

        string Env(string resource, string variable) => resources[resource]!["env"]![variable]!.GetValue<string>();
    }

    [Fact]
    public async Task TheResolvedEnvironmentCarriesEachSecretOnlyInTheVariableMeantForIt()
    {
        using var model = await SecretModel.BuildAsync(DistributedApplicationOperation.Run);

        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var resource in model.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ContainerResource>())
        {
            var result = await ResolveAsync(model.App, resource, DistributedApplicationOperation.Run, arguments: false);
            foreach (var (variable, value) in result.EnvironmentVariables)
            {
                foreach (var (name, secret) in model.Secrets)
                {
                    if (value.Contains(secret, StringComparison.Ordinal))
                    {
                        found.Add($"{resource.Name} {variable} <- {name}");
                    }
                }
            }
        }

        Assert.Equal(
        [
            "chat ASPIRE_ACCOUNT_1_PASSWORD <- admin-password",
            "chat ASPIRE_ACCOUNT_2_PASSWORD <- alice-password",
            "chat ASPIRE_ACCOUNT_3_PASSWORD <- chat-carol-password",
            "chat ASPIRE_COMPONENT_1_SECRET <- bridge-secret",
            // The database client libraries read these; the sql table in Prosody's configuration has no password.
            "chat MYSQL_PWD <- sql-password",
            "chat PROSODY_TURN_SECRET <- turn-secret",
            "chat-turn TURN_SECRET <- turn-secret",
            "chat2 ASPIRE_ACCOUNT_1_PASSWORD <- chat2-password",
            "chat2 PGPASSWORD <- pg-password",
            "chat2 PROSODY_TURN_SECRET <- external-turn-secret",
            // A component's secret is what an app that references the component asks for.
            "consumer BRIDGE_SECRET <- bridge-secret",
            "consumer ConnectionStrings__bridge <- bridge-secret",
            // Aspire's own PostgreSQL container.
            "pg POSTGRES_PASSWORD <- pg-password",
        ], found);
    }

    /// <summary>What every container gets besides its environment: entrypoint, arguments, runtime arguments, files and mounts.</summary>
    private static async Task<List<(string Where, string Text)>> UnresolvedOutputsAsync(DistributedApplication app)
    {
        var outputs = new List<(string Where, string Text)>();
        foreach (var resource in app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ContainerResource>())
        {
            outputs.Add(($"{resource.Name} entrypoint", resource.Entrypoint ?? ""));
            outputs.AddRange((await resource.ArgsAsync()).Select((arg, i) => ($"{resource.Name} argument {i}", arg)));

            var runtimeArgs = new List<object>();
            foreach (var callback in resource.Annotations.OfType<ContainerRuntimeArgsCallbackAnnotation>())
            {
                await callback.Callback(new ContainerRuntimeArgsCallbackContext(runtimeArgs, CancellationToken.None));
            }

            outputs.AddRange(runtimeArgs.Select((arg, i) => ($"{resource.Name} runtime argument {i}", SecureDefaultsSnapshot.Text(arg))));
            foreach (var annotation in resource.Annotations.OfType<ContainerFileSystemCallbackAnnotation>())
            {
                var items = await annotation.Callback(new ContainerFileSystemCallbackContext { Services = app.Services, Model = resource }, CancellationToken.None);
                outputs.AddRange(Files(annotation.DestinationPath, items));
            }

            outputs.AddRange(resource.Annotations.OfType<ContainerMountAnnotation>().Select(m => ($"{resource.Name} mount", $"{m.Source} {m.Target}")));
        }

        return outputs;
    }

    private static async Task<IExecutionConfigurationResult> ResolveAsync(DistributedApplication app, IResource resource, DistributedApplicationOperation operation, bool arguments)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var executionContext = new DistributedApplicationExecutionContext(new DistributedApplicationExecutionContextOptions(operation) { Services = app.Services });
        var builder = ExecutionConfigurationBuilder.Create(resource);
        var result = await (arguments ? builder.WithArgumentsConfig() : builder.WithEnvironmentVariablesConfig()).BuildAsync(executionContext, NullLogger.Instance, timeout.Token);
        if (result.Exception is not null)
        {
            throw result.Exception;
        }

        return result;
    }

    private static IEnumerable<(string Where, string Text)> Files(string directory, IEnumerable<ContainerFileSystemItem> items)
    {
        foreach (var item in items)
        {
            var path = $"{directory.TrimEnd('/')}/{item.Name}";
            if (item is ContainerDirectory subdirectory)
            {
                foreach (var entry in Files(path, subdirectory.Entries))
                {
                    yield return entry;
                }
            }
            else if (item is ContainerFileBase file)
            {
                yield return ($"file {path}", file.Contents ?? (file.SourcePath is { } source ? File.ReadAllText(source) : ""));
            }
        }
    }

    /// <summary>Fails naming the output, the secret and the form it was found in.</summary>
    internal static void AssertNoSecretIn(IEnumerable<(string Where, string Text)> outputs, IReadOnlyDictionary<string, string> secrets)
    {
        var leaks = (from output in outputs
                     from secret in secrets
                     from form in Forms(secret.Value)
                     where output.Text.Contains(form.Text, StringComparison.Ordinal)
                     select $"{secret.Key} ({form.Name}) in {output.Where}").Distinct().ToList();
        Assert.True(leaks.Count == 0, $"Secret values found:{Environment.NewLine}{string.Join(Environment.NewLine, leaks)}");
    }

    /// <summary>A secret as it would look in each kind of output: raw, as a Lua, JSON or shell literal, URL- or base64-encoded.</summary>
    internal static IEnumerable<(string Name, string Text)> Forms(string secret)
    {
        yield return ("raw", secret);
        yield return ("Lua literal", LuaSyntax.String(secret).Trim('"'));
        yield return ("JSON", JsonEncodedText.Encode(secret, JavaScriptEncoder.Default).ToString());
        yield return ("JSON, relaxed", JsonEncodedText.Encode(secret, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString());
        yield return ("URL-encoded", Uri.EscapeDataString(secret));
        yield return ("base64", Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)));
        yield return ("shell-quoted", secret.Replace("'", "'\\''", StringComparison.Ordinal));
    }
}

/// <summary>An app model with every secret-bearing feature on, in the given mode, and the values of its secrets.</summary>
internal sealed class SecretModel : IDisposable
{
    // Secrets with characters that every output format escapes differently: quotes, backslash, Lua brackets, non-ASCII.
    private static readonly string Marker = Convert.ToHexString(Guid.NewGuid().ToByteArray())[..10];

    private SecretModel(IDistributedApplicationBuilder builder) => Builder = builder;

    public IDistributedApplicationBuilder Builder { get; }

    /// <summary>The app, built and completed as starting or publishing it would be (set by <see cref="BuildAsync"/>).</summary>
    public DistributedApplication App { get; private set; } = null!;

    /// <summary>Every secret parameter's value, by parameter name (set by <see cref="BuildAsync"/>).</summary>
    public Dictionary<string, string> Secrets { get; private set; } = null!;

    public List<string> SecretParameterNames => Parameters.Select(p => p.Name).ToList();

    /// <summary>The secret parameters, generated ones included (those are not resources of the model by themselves).</summary>
    private List<ParameterResource> Parameters { get; } = [];

    private static SecretModel Create(DistributedApplicationOperation operation)
    {
        var builder = TestModel.CreateBuilder(operation);
        var model = new SecretModel(builder);
        var admin = model.Secret("admin-password", $"Admin \"pw\" '{Marker}' \\ ]] [==[ é ✓");
        var alice = model.Secret("alice-password", $"alice-{Marker}-%20+/=");
        var sqlPassword = model.Secret("sql-password", $"sql'pw;--{Marker}$(id)`x`");
        var turnSecret = model.Secret("turn-secret", $"Turn{Marker}Secret");
        var bridgeSecret = model.Secret("bridge-secret", $"bridge&<{Marker}>");
        var externalTurnSecret = model.Secret("external-turn-secret", $"ExternalTurn{Marker}");
        var pgPassword = model.Secret("pg-password", $"pg-{Marker}-\u00e4\u00f6");

        var chat = builder.AddProsody("chat", adminPassword: admin)
            .WithAllocatedEndpoint("c2s", 15222, 5222).WithAllocatedEndpoint("http", 15280, 5280).WithAllocatedEndpoint("https", 15281, 5281)
            .WithUser("alice", alice)
            .WithUser("carol") // a generated password
            .WithSqlDatabase(ProsodySqlDriver.MySql,
                builder.AddParameter("sql-host", "db.example.com"), builder.AddParameter("sql-database", "prosody"),
                builder.AddParameter("sql-user", "prosody"), sqlPassword)
            .WithTurnServer(secret: turnSecret);
        model.Parameters.Add(chat.Resource.Settings.Accounts.Single(a => a.UserName == "carol").Password);
        builder.CreateResourceBuilder(builder.Resources.OfType<CoturnResource>().Single())
            .WithAllocatedEndpoint("turn", 3478, 3478).WithAllocatedEndpoint("turn-udp", 3478, 3478);
        var bridge = chat.AddExternalComponent("bridge", secret: bridgeSecret);
        chat.WithAllocatedEndpoint("component", 15347, 5347);

        var postgres = builder.AddPostgres("pg", password: pgPassword).WithAllocatedEndpoint("tcp", 15432, 5432);
        var chat2 = builder.AddProsody("chat2")
            .WithAllocatedEndpoint("c2s", 25222, 5222).WithAllocatedEndpoint("http", 25280, 5280).WithAllocatedEndpoint("https", 25281, 5281)
            .WithPostgres(postgres.AddDatabase("prosodydb"))
            .WithExternalTurn("turn.example.com", 3478, externalTurnSecret);
        model.Parameters.Add(chat2.Resource.AdminPasswordParameter);

        builder.AddContainer("consumer", "alpine").WithReference(chat).WithReference(bridge);
        if (operation == DistributedApplicationOperation.Publish)
        {
            // A deployment's certificate and key: parameters whose values the deployer supplies.
            foreach (var server in new[] { "chat", "chat2" })
            {
                builder.Configuration[$"Parameters:{server}-tls-certificate"] = $"-----BEGIN CERTIFICATE-----\n{server}-certificate-{Marker}\n-----END CERTIFICATE-----\n";
                builder.Configuration[$"Parameters:{server}-tls-key"] = $"-----BEGIN PRIVATE KEY-----\n{server}-key-{Marker}\n-----END PRIVATE KEY-----\n";
            }
        }

        return model;
    }

    /// <summary>The model built, completed and its secrets read: what every test here starts from.</summary>
    public static async Task<SecretModel> BuildAsync(DistributedApplicationOperation operation)
    {
        var model = Create(operation);
        model.App = await model.Builder.BuildCompletedAsync();
        model.Secrets = await model.SecretValuesAsync();
        return model;
    }

    public void Dispose() => App.Dispose();

    /// <summary>Every secret parameter's value, by parameter name (generated ones included).</summary>
    private async Task<Dictionary<string, string>> SecretValuesAsync()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var parameter in Parameters.Union(Builder.Resources.OfType<ParameterResource>().Where(p => p.Secret)))
        {
            Assert.True(parameter.Secret, $"{parameter.Name} should be a secret parameter");
            values[parameter.Name] = (await parameter.GetValueAsync(CancellationToken.None))!;
        }

        Assert.All(values, v => Assert.True(v.Value.Length >= 8, $"{v.Key} should have a value worth searching for"));
        // Nine in the app model, plus each server's TLS key when published.
        Assert.Equal(Builder.ExecutionContext.IsPublishMode ? 11 : 9, values.Count);
        return values;
    }

    private IResourceBuilder<ParameterResource> Secret(string name, string value)
    {
        var parameter = Builder.AddParameter(name, value, secret: true);
        Parameters.Add(parameter.Resource);
        return parameter;
    }
}
