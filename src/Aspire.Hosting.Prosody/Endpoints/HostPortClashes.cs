using System.Globalization;
using Microsoft.Extensions.DependencyInjection;

namespace Aspire.Hosting.Prosody.Endpoints;

/// <summary>
/// Run mode: two endpoints of the app model that ask for the same fixed host port and protocol cannot both listen,
/// and otherwise fail only at start ("address already in use") or as a resource that never becomes healthy. Only the
/// whole model knows (ports also come from <c>WithEndpoint</c> callbacks and from other resources), so the check runs
/// when the app starts, once per app model, and names both endpoints.
/// </summary>
internal static class HostPortClashes
{
    /// <summary>Subscribes the check once per app model, however many Prosody resources it has.</summary>
    public static void Register(IDistributedApplicationBuilder builder)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(Marker)))
        {
            return;
        }

        builder.Services.AddSingleton<Marker>();
        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            Check(e.Model);
            return Task.CompletedTask;
        });
    }

    /// <summary>Throws an <see cref="InvalidOperationException"/> naming every pair of endpoints that share a fixed host port and protocol.</summary>
    public static void Check(DistributedApplicationModel model)
    {
        var clashes = model.Resources
            .SelectMany(resource => resource.Annotations.OfType<EndpointAnnotation>().Select(endpoint => (Resource: resource, Endpoint: endpoint)))
            .Where(x => x.Endpoint.Port is not null)
            .GroupBy(x => (Port: x.Endpoint.Port!.Value, x.Endpoint.Protocol))
            .Where(group => group.Count() > 1)
            .Select(group =>
            {
                var endpoints = group.Select(x => $"'{x.Resource.Name}' endpoint '{x.Endpoint.Name}'").ToArray();
                return $"host port {group.Key.Port.ToString(CultureInfo.InvariantCulture)}/{group.Key.Protocol.ToString().ToLowerInvariant()} is asked for by " +
                    $"{string.Join(" and by ", endpoints)}";
            })
            .ToArray();
        if (clashes.Length > 0)
        {
            throw new InvalidOperationException(
                $"Two endpoints cannot listen on one host port: {string.Join("; ", clashes)}. Give one of them another port " +
                "(AddProsody's port, WithFederation's port, WithTurnServer's port, or WithEndpoint(name, e => e.Port = …)), or none to let Aspire choose a free one.");
        }
    }

    private sealed class Marker;
}
