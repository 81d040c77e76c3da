using System.Text.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting.Publishing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aspire.Hosting.Prosody.Tests;

/// <summary>Builds app models in run or publish mode and reads back what they would hand to a container.</summary>
internal static class TestModel
{
    /// <summary>
    /// A publish-mode model gets an output folder of its own (created only when something is written there, such as
    /// the derived image's build context), so tests running in parallel never share one.
    /// </summary>
    public static IDistributedApplicationBuilder CreateBuilder(DistributedApplicationOperation operation = DistributedApplicationOperation.Run) =>
        DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            DisableDashboard = true,
            Args = operation == DistributedApplicationOperation.Publish
                ? ["AppHost:Operation=publish", $"Pipeline:OutputPath={Path.Combine(Path.GetTempPath(), "prosody-publish-tests", Guid.NewGuid().ToString("N"))}", "Pipeline:Step=publish"]
                // Run mode subscribes an Aspire start handler that reads where the orchestrator is
                // (CompleteAtStartAsync raises that event); nothing here starts it.
                : ["DcpPublisher:CliPath=dcp", "DcpPublisher:DashboardPath=dashboard"],
        });

    /// <summary>
    /// Gives an endpoint the addresses the orchestrator would: <c>localhost:hostPort</c> for host processes and
    /// <c>{resource}.dev.internal:targetPort</c> on the container network. Without them, evaluation waits forever.
    /// </summary>
    public static IResourceBuilder<T> WithAllocatedEndpoint<T>(this IResourceBuilder<T> builder, string name, int hostPort, int targetPort)
        where T : IResourceWithEndpoints =>
        builder.WithEndpoint(name, e =>
        {
            e.AllocatedEndpoint = new AllocatedEndpoint(e, "localhost", hostPort);
            e.AllAllocatedEndpoints.AddOrUpdateAllocatedEndpoint(KnownNetworkIdentifiers.DefaultAspireContainerNetwork,
                new AllocatedEndpoint(e, $"{builder.Resource.Name}.dev.internal", targetPort, EndpointBindingMode.SingleAddress, targetPortExpression: null, networkId: KnownNetworkIdentifiers.DefaultAspireContainerNetwork));
        });

    /// <summary>
    /// Gives every Prosody endpoint the test did not allocate itself addresses (host port 10000 + the container port):
    /// run mode's environment always refers to the published http and https endpoints (the links Prosody hands out).
    /// </summary>
    private static void AllocateProsodyEndpoints(DistributedApplication app)
    {
        foreach (var prosody in app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ProsodyResource>())
        {
            foreach (var e in prosody.Annotations.OfType<EndpointAnnotation>().Where(e => e.AllocatedEndpoint is null && e.TargetPort is not null))
            {
                var targetPort = e.TargetPort!.Value;
                e.AllocatedEndpoint = new AllocatedEndpoint(e, "localhost", 10000 + targetPort);
                e.AllAllocatedEndpoints.AddOrUpdateAllocatedEndpoint(KnownNetworkIdentifiers.DefaultAspireContainerNetwork,
                    new AllocatedEndpoint(e, $"{prosody.Name}.dev.internal", targetPort, EndpointBindingMode.SingleAddress, targetPortExpression: null, networkId: KnownNetworkIdentifiers.DefaultAspireContainerNetwork));
            }
        }
    }

    /// <summary>
    /// Raises <see cref="BeforeStartEvent"/> as starting (or publishing) the app does, without starting anything: the
    /// handlers subscribed while the model was built run, that is the package's decisions that need the whole model and,
    /// in run mode, Aspire's naming of containers (hence the placeholder orchestrator paths above). Handlers Aspire adds
    /// only when the app runs do not.
    /// </summary>
    public static Task CompleteAtStartAsync(this DistributedApplication app) =>
        app.Services.GetRequiredService<Eventing.IDistributedApplicationEventing>().PublishAsync(
            new BeforeStartEvent(app.Services, app.Services.GetRequiredService<DistributedApplicationModel>()), CancellationToken.None);

    /// <summary>Builds the app and completes its model as starting or publishing it would, without starting anything.</summary>
    public static async Task<DistributedApplication> BuildCompletedAsync(this IDistributedApplicationBuilder builder)
    {
        var app = builder.Build();
        await app.CompleteAtStartAsync();
        return app;
    }

    /// <summary>A built app holding one Prosody resource, "chat", given the calls <paramref name="configure"/> makes: for tests that check only those calls.</summary>
    public static DistributedApplication BuildWithChat(Action<IResourceBuilder<ProsodyResource>>? configure = null, DistributedApplicationOperation operation = DistributedApplicationOperation.Run)
    {
        var builder = CreateBuilder(operation);
        var chat = builder.AddProsody("chat");
        configure?.Invoke(chat);
        return builder.Build();
    }

    public static ProsodyResource Single(this DistributedApplication app) =>
        Assert.Single(app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ProsodyResource>());

    /// <summary>The environment as the callbacks produce it: values are strings or references (parameters, expressions).</summary>
    public static async Task<Dictionary<string, object>> RawEnvironmentAsync(this IResource resource, DistributedApplicationOperation operation)
    {
        var variables = new Dictionary<string, object>();
        var context = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(operation), resource, variables, CancellationToken.None);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        return variables;
    }

    /// <summary>The environment the container would get, resolved as Aspire resolves it.</summary>
    public static async Task<Dictionary<string, string>> EnvironmentAsync(this DistributedApplication app, IResource resource, DistributedApplicationOperation operation = DistributedApplicationOperation.Run)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        if (operation == DistributedApplicationOperation.Run)
        {
            AllocateProsodyEndpoints(app);
        }

        var executionContext = new DistributedApplicationExecutionContext(new DistributedApplicationExecutionContextOptions(operation) { Services = app.Services });
        var result = await ExecutionConfigurationBuilder.Create(resource).WithEnvironmentVariablesConfig()
            .BuildAsync(executionContext, NullLogger.Instance, timeout.Token);
        if (result.Exception is not null)
        {
            throw result.Exception;
        }

        return result.EnvironmentVariables.ToDictionary(pair => pair.Key, pair => pair.Value);
    }

    /// <summary>Builds the app and reads the environment <paramref name="resource"/> would get, for tests that need nothing else of the app.</summary>
    public static async Task<Dictionary<string, string>> BuildAndReadEnvironmentAsync(this IDistributedApplicationBuilder builder, IResource resource, DistributedApplicationOperation operation = DistributedApplicationOperation.Run)
    {
        using var app = builder.Build();
        return await app.EnvironmentAsync(resource, operation);
    }

    public static async Task<List<string>> ArgsAsync(this IResource resource)
    {
        var args = new List<object>();
        var context = new CommandLineArgsCallbackContext(args, resource, CancellationToken.None);
        foreach (var callback in resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        return args.Select(a => a.ToString()!).ToList();
    }

    /// <summary>The files the container gets at <paramref name="destination"/>.</summary>
    public static async Task<List<ContainerFileSystemItem>> FilesAsync(this DistributedApplication app, IResource resource, string destination)
    {
        var items = new List<ContainerFileSystemItem>();
        foreach (var annotation in resource.Annotations.OfType<ContainerFileSystemCallbackAnnotation>().Where(a => a.DestinationPath == destination))
        {
            items.AddRange(await annotation.Callback(new ContainerFileSystemCallbackContext { Services = app.Services, Model = resource }, CancellationToken.None));
        }

        return items;
    }

    /// <summary>Every file the container gets, by its full path in the container, directories flattened.</summary>
    public static async Task<List<(string Path, ContainerFileBase File)>> AllFilesAsync(this DistributedApplication app, IResource resource)
    {
        var files = new List<(string, ContainerFileBase)>();
        foreach (var annotation in resource.Annotations.OfType<ContainerFileSystemCallbackAnnotation>())
        {
            files.AddRange(Flatten(annotation.DestinationPath, await annotation.Callback(new ContainerFileSystemCallbackContext { Services = app.Services, Model = resource }, CancellationToken.None)));
        }

        return files;
    }

    private static IEnumerable<(string Path, ContainerFileBase File)> Flatten(string directory, IEnumerable<ContainerFileSystemItem> items)
    {
        foreach (var item in items)
        {
            var path = $"{directory.TrimEnd('/')}/{item.Name}";
            switch (item)
            {
                case ContainerDirectory subdirectory:
                    foreach (var entry in Flatten(path, subdirectory.Entries))
                    {
                        yield return entry;
                    }

                    break;
                case ContainerFileBase file:
                    yield return (path, file);
                    break;
            }
        }
    }

    public static async Task<string> FileTextAsync(this DistributedApplication app, IResource resource, string destination, string name)
    {
        var file = Assert.IsType<ContainerFile>(Assert.Single(await app.FilesAsync(resource, destination), item => item.Name == name));
        return Assert.IsType<string>(file.Contents);
    }

    /// <summary>
    /// A manifest path of its own for each manifest written: Aspire copies generated Dockerfiles beside it, and tests
    /// writing manifests in parallel must not share those files.
    /// </summary>
    public static string ManifestPath() => Path.Combine(Path.GetTempPath(), "prosody-publish-tests", Guid.NewGuid().ToString("N"), "manifest.json");

    public static async Task<JsonNode> ManifestAsync(this DistributedApplication app, ContainerResource resource)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            var executionContext = app.Services.GetRequiredService<DistributedApplicationExecutionContext>();
            writer.WriteStartObject();
            await new ManifestPublishingContext(executionContext, TestModel.ManifestPath(), writer, CancellationToken.None)
                .WriteContainerAsync(resource);
            writer.WriteEndObject();
        }

        return JsonNode.Parse(stream.ToArray())!;
    }
}
