namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A coturn TURN/STUN server that relays audio and video for the clients of a Prosody server, which hands them
/// short-lived credentials derived from a shared secret (TURN REST API).
/// </summary>
[AspireExport(ExposeProperties = true)]
public sealed class CoturnResource : ContainerResource
{
    internal const string TcpEndpointName = "turn";
    internal const string UdpEndpointName = "turn-udp";

    /// <summary>
    /// Creates a coturn resource.
    /// </summary>
    /// <param name="name">The name of the resource.</param>
    /// <param name="secret">The secret shared with Prosody (<c>static-auth-secret</c>).</param>
    public CoturnResource(string name, ParameterResource secret) : base(name)
    {
        ArgumentNullException.ThrowIfNull(secret);
        SecretParameter = secret;
        PrimaryEndpoint = new(this, TcpEndpointName);
    }

    /// <summary>Gets the parameter that holds the secret shared with Prosody.</summary>
    public ParameterResource SecretParameter { get; }

    /// <summary>Gets the TURN endpoint over TCP (the UDP endpoint shares its port).</summary>
    public EndpointReference PrimaryEndpoint { get; }

    internal int RelayPortMin { get; set; }

    internal int RelayPortMax { get; set; }

    /// <summary>The address clients reach the relay at, when the app model names it.</summary>
    internal string? ExternalAddress { get; set; }

    /// <summary>Publish mode without an address: the deployment supplies it (<c>{name}-external-address</c>).</summary>
    internal ParameterResource? ExternalAddressParameter { get; set; }
}
