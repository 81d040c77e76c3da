namespace Aspire.Hosting.Prosody.Publishing;

/// <summary>
/// What publish mode adds so that a platform running only what the manifest says gets a working server: the derived
/// image, the HTTPS endpoint, and the probes a platform restarts and routes by.
/// </summary>
internal static class ProsodyDeployment
{
    public static void Configure(IResourceBuilder<ProsodyResource> builder)
    {
        ProsodyImage.Configure(builder);

        // Prosody serves HTTPS on 5281 with the domain's certificate, and the links it hands out in a deployment
        // (file share uploads) point there, so a platform must expose it.
        builder.WithHttpsEndpoint(targetPort: ProsodyResource.HttpsTargetPort, name: ProsodyResource.HttpsEndpointName)
            .WithUrlForEndpoint(ProsodyResource.HttpsEndpointName, url => url.DisplayLocation = UrlDisplayLocation.DetailsOnly);

        // Kubernetes and Container Apps publishers turn these into probes: liveness restarts a Prosody whose HTTP
        // server stopped answering; readiness holds traffic until every account exists, i.e. storage answered.
#pragma warning disable ASPIREPROBES001
        builder
            .WithHttpProbe(ProbeType.Liveness, ProsodyConfiguration.LivenessPath, periodSeconds: 10, failureThreshold: 3, endpointName: ProsodyResource.HttpEndpointName)
            .WithHttpProbe(ProbeType.Readiness, ProsodyConfiguration.ReadinessPath, periodSeconds: 5, failureThreshold: 3, endpointName: ProsodyResource.HttpEndpointName);
#pragma warning restore ASPIREPROBES001
    }
}
