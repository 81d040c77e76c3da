using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting.Publishing;

namespace Aspire.Hosting.Prosody.Tests;

/// <summary>The whole manifest of an app model (every resource and parameter), as <c>aspire publish</c> writes it.</summary>
internal static class SecretsManifest
{
    public static async Task<JsonNode> WriteAsync(DistributedApplication app)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            var executionContext = app.Services.GetRequiredService<DistributedApplicationExecutionContext>();
            var context = new ManifestPublishingContext(executionContext, TestModel.ManifestPath(), writer, CancellationToken.None);
            // ManifestPublishingContext.WriteModel is what the manifest publisher calls; it is internal in Aspire 13.6.5.
            var writeModel = typeof(ManifestPublishingContext).GetMethod("WriteModel", BindingFlags.Instance | BindingFlags.NonPublic)
                ?? throw new InvalidOperationException("Aspire's ManifestPublishingContext.WriteModel is gone: write the manifest another way.");
            await (Task)writeModel.Invoke(context, [app.Services.GetRequiredService<DistributedApplicationModel>(), CancellationToken.None])!;
        }

        return JsonNode.Parse(stream.ToArray())!;
    }
}
