using Microsoft.Extensions.DependencyInjection;

namespace Aspire.Hosting;

public static partial class ProsodyBuilderExtensions
{
    /// <summary>
    /// Adds a resource that lives inside the server (a component, an account): it has no process of its own, waits
    /// while the server starts, and is Running once the server is ready, so that <c>WaitFor(child)</c> means the server.
    /// </summary>
    private static IResourceBuilder<T> AddServerPart<T>(IResourceBuilder<ProsodyResource> server, T part, string resourceType, ResourcePropertySnapshot property, string iconName)
        where T : IResource
    {
        server.OnResourceReady(async (_, e, ct) =>
            await e.Services.GetRequiredService<ResourceNotificationService>().PublishUpdateAsync(part, s => s with
            {
                State = KnownResourceStates.Running,
            }).ConfigureAwait(false));

        return server.ApplicationBuilder.AddResource(part)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = resourceType,
                Properties = [property],
                State = KnownResourceStates.Waiting,
            })
            .WithIconName(iconName);
    }
}
