namespace Aspire.Hosting;

public static partial class ProsodyBuilderExtensions
{
    /// <summary>
    /// Sets the public base URL of Prosody's HTTP services in a deployment (<c>http_external_url</c>): the address of
    /// your ingress or reverse proxy, such as <c>https://chat.example.com/</c>. Every link Prosody hands out or
    /// announces starts with it: file share upload and download links, the websocket and BOSH URLs, community modules'
    /// pages. Without it a deployment's links point at <c>https://{domain}:5281/</c>.
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="publicUrl">An absolute <c>https</c> (or <c>http</c>) URL without credentials, query or fragment;
    /// a path is kept (Prosody appends <c>share/…</c> and <c>xmpp-websocket</c> to it), and the proxy must strip it.</param>
    /// <returns>The resource builder.</returns>
    /// <exception cref="ArgumentException">The URL is relative, not http or https, or has credentials, a query, a fragment or characters a URL cannot hold.</exception>
    /// <remarks>
    /// Run mode ignores it: there Prosody always announces the endpoints as published on the developer's machine. The
    /// proxy forwards to the <c>https</c> endpoint (container port 5281) with the domain as the TLS name, or to the
    /// <c>http</c> endpoint (5280); for sign-in over a websocket forwarded as plain HTTP, Prosody must trust the proxy's
    /// <c>X-Forwarded-Proto</c> (<c>trusted_proxies</c>, through <see cref="WithExtraConfiguration"/>).
    /// </remarks>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithPublicUrl(this IResourceBuilder<ProsodyResource> builder, Uri publicUrl)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Resource.Settings.PublicUrl = ProsodyValidation.PublicUrl(publicUrl, nameof(publicUrl));
        return builder;
    }

    /// <summary>
    /// Sets the public base URL of Prosody's HTTP services in a deployment from a parameter, so that each deployment
    /// supplies its own; see <see cref="WithPublicUrl(IResourceBuilder{ProsodyResource}, Uri)"/>. The container
    /// checks the value when it starts and stops at once, naming the problem, when it is not an absolute http or https
    /// URL without query or fragment.
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="publicUrl">The parameter that holds the URL, such as <c>https://chat.example.com/</c>.</param>
    /// <returns>The resource builder.</returns>
    [AspireExport("withPublicUrlParameter")]
    public static IResourceBuilder<ProsodyResource> WithPublicUrl(this IResourceBuilder<ProsodyResource> builder, IResourceBuilder<ParameterResource> publicUrl)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(publicUrl);
        builder.Resource.Settings.PublicUrl = publicUrl.Resource;
        return builder;
    }

}
