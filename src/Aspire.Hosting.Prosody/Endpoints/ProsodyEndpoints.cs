namespace Aspire.Hosting.Prosody.Endpoints;

/// <summary>
/// Run mode: who publishes Prosody's ports on the developer's machine. The container runtime does, as Compose or
/// <c>podman run</c> would, not the orchestrator's proxy (Aspire's default for containers): the proxy costs message
/// rate, delivery latency and the orchestrator's CPU under load (measured in bench/README.md, (d)).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>An endpoint whose proxying the app model set (<c>WithEndpoint(name, e =&gt; e.IsProxied = true)</c>) keeps it.</item>
/// <item>A persistent container is left to Aspire, which publishes its ports without the proxy where it can keep the
/// port it chose in the AppHost's user secrets and through the proxy otherwise; a port chosen anew on every run would
/// make Aspire recreate the container every run.</item>
/// <item>A port that was not given stays unset, so Aspire allocates one: an unproxied endpoint would otherwise read
/// its container port as its host port, and two Prosody resources would collide on 5222.</item>
/// </list>
/// </remarks>
internal static class ProsodyEndpoints
{
    public static void PublishWithoutProxy(ProsodyResource resource)
    {
        if (resource.TryGetLastAnnotation<ContainerLifetimeAnnotation>(out var lifetime) && lifetime.Lifetime == ContainerLifetime.Persistent)
        {
            return;
        }

        foreach (var endpoint in resource.Annotations.OfType<EndpointAnnotation>().Where(e => e.IsExplicitlyProxied is null))
        {
            var port = endpoint.Port;
            endpoint.IsProxied = false;
            endpoint.Port = port;
        }
    }
}
