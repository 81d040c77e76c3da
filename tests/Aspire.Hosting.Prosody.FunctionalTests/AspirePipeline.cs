using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// Runs one step of a publish-mode app model's pipeline in-process, as <c>aspire do {step} --output-path {dir}</c>
/// runs it: no run mode and no orchestrator, only what Aspire's publishing and build steps do.
/// </summary>
internal static class AspirePipeline
{
    public static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(5);

    /// <returns>The resources of the model after the step ran (their built image names, for example).</returns>
    public static async Task<IReadOnlyList<IResource>> RunStepAsync(
        string step, string outputPath, IReadOnlyDictionary<string, string?> configuration, Action<IDistributedApplicationBuilder> model)
    {
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            DisableDashboard = true,
            Args = ["--operation", "publish", "--step", step, "--output-path", outputPath],
        });
        // Every parameter needs a value here: the build step resolves them all, and would wait for someone to type one.
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Services.AddTestOutputLogging();
        model(builder);

        using var app = builder.Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(StepTimeout);
        await app.RunAsync(timeout.Token);
        return [.. app.Services.GetRequiredService<DistributedApplicationModel>().Resources];
    }
}
