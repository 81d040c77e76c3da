using Aspire.Hosting.Prosody;

namespace Aspire.Hosting.Prosody.Testing;

/// <summary>The container images the tests start, by name: attribute arguments must be constants, image references are not.</summary>
internal enum ContainerImage
{
    /// <summary>The image <c>AddProsody</c> uses by default.</summary>
    Prosody,

    /// <summary>The same image at Prosody's previous release line, <see cref="ContainerImages.Prosody012Tag"/>.</summary>
    Prosody012,

    /// <summary>The image <c>WithTurnServer</c> uses.</summary>
    Coturn,

    /// <summary>The image <c>AddPostgres</c> (Aspire.Hosting.PostgreSQL) uses.</summary>
    Postgres,

    /// <summary>MariaDB, standing in for a MySQL server (Aspire.Hosting.MySql is not on the package feed).</summary>
    MariaDb,

    /// <summary>ejabberd, a second XMPP server implementation to federate with: a test peer no package references.</summary>
    Ejabberd,
}

/// <summary>
/// Full image references (registry/image:tag) of what the tests start. They are read from the packages themselves, by
/// declaring the resources in a throwaway model, so a test never needs an image the package does not use; the image
/// tag classes cannot be read directly, they are internal to the packages.
/// </summary>
internal static class ContainerImages
{
    /// <summary>Prosody's previous release line, which the package still supports through <c>WithImageTag</c>.</summary>
    public const string Prosody012Tag = "0.12";

    /// <summary>MariaDB has no hosting package here, so its image and tag are spelled once, here.</summary>
    public const string MariaDbImage = "library/mariadb";

    /// <inheritdoc cref="MariaDbImage"/>
    public const string MariaDbTag = "11.8";

    /// <summary>
    /// The ejabberd test peer, built from Debian trixie by eng/containers/provision.sh. No package references it, so it
    /// has a local name that no runtime tries to pull.
    /// </summary>
    public const string EjabberdRegistry = "localhost";

    /// <inheritdoc cref="EjabberdRegistry"/>
    public const string EjabberdImage = "aspire-prosody-test/ejabberd";

    /// <inheritdoc cref="EjabberdRegistry"/>
    public const string EjabberdTag = "24.12";

    private static readonly Lazy<(IReadOnlyDictionary<ContainerImage, string> References, string MariaDbRegistry)> Defaults = new(ReadDefaults);

    public static string Prosody => Reference(ContainerImage.Prosody);

    public static string Prosody012 => Reference(ContainerImage.Prosody012);

    public static string Coturn => Reference(ContainerImage.Coturn);

    public static string Postgres => Reference(ContainerImage.Postgres);

    public static string MariaDb => Reference(ContainerImage.MariaDb);

    public static string Ejabberd => Reference(ContainerImage.Ejabberd);

    /// <summary>The registry MariaDB is pulled from: Docker Hub's official images, like PostgreSQL's.</summary>
    public static string MariaDbRegistry => Defaults.Value.MariaDbRegistry;

    public static string Reference(ContainerImage image) => Defaults.Value.References[image];

    private static (IReadOnlyDictionary<ContainerImage, string>, string) ReadDefaults()
    {
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions { DisableDashboard = true, Args = [] });
        var prosody = builder.AddProsody("prosody").WithTurnServer();
        var prosody012 = builder.AddProsody("prosody012").WithImageTag(Prosody012Tag);
        var postgres = builder.AddPostgres("postgres");
        var coturn = builder.Resources.OfType<CoturnResource>().Single();
        var postgresImage = ImageOf(postgres.Resource);
        return (new Dictionary<ContainerImage, string>
        {
            [ContainerImage.Prosody] = Format(ImageOf(prosody.Resource)),
            [ContainerImage.Prosody012] = Format(ImageOf(prosody012.Resource)),
            [ContainerImage.Coturn] = Format(ImageOf(coturn)),
            [ContainerImage.Postgres] = Format(postgresImage),
            [ContainerImage.MariaDb] = $"{postgresImage.Registry}/{MariaDbImage}:{MariaDbTag}",
            [ContainerImage.Ejabberd] = $"{EjabberdRegistry}/{EjabberdImage}:{EjabberdTag}",
        }, postgresImage.Registry!);
    }

    private static ContainerImageAnnotation ImageOf(IResource resource) =>
        resource.Annotations.OfType<ContainerImageAnnotation>().Last();

    private static string Format(ContainerImageAnnotation image) => $"{image.Registry}/{image.Image}:{image.Tag}";
}
