using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Prosody.Tls;

namespace Aspire.Hosting.Prosody.Configuration;

/// <summary>
/// The files the Prosody container gets, per destination directory: the generated conf.d file, the user's
/// configuration, the package's modules and entrypoint wrapper, and the certificates. Run mode copies them into
/// the container at start; publish mode bakes all but the certificates into the derived image
/// (<see cref="Publishing.ProsodyImage"/>), so both deliver the same bytes.
/// </summary>
internal static class ProsodyContainerFiles
{
    public const UnixFileMode ReadableFile = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    public const UnixFileMode ExecutableFile = ReadableFile | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>The modules this package ships, by file name in the embedded resources.</summary>
    public static readonly string[] ShippedModules = [$"mod_{ProsodyConfiguration.AccountsModule}.lua", $"mod_{ProsodyConfiguration.HealthModule}.lua"];

    public static IEnumerable<ContainerFileSystemItem> ConfigDirectory(ProsodyConfiguration configuration) =>
        [new ContainerFile { Name = ProsodyConfiguration.ConfigFileName, Contents = ProsodyConfigFile.Render(configuration), Mode = ReadableFile }];

    public static IEnumerable<ContainerFileSystemItem> IncludedFilesDirectory(ProsodyConfiguration configuration) =>
        configuration.IncludedFiles.Select(file => (ContainerFileSystemItem)new ContainerFile
        {
            Name = file.Name,
            Contents = file.Contents,
            SourcePath = file.SourcePath,
            Mode = ReadableFile,
        });

    public static IEnumerable<ContainerFileSystemItem> SupportDirectory() =>
    [
        new ContainerDirectory
        {
            Name = "modules",
            Entries = ShippedModules.Select(name => new ContainerFile { Name = name, Contents = EmbeddedResources.Read(name), Mode = ReadableFile }),
        },
        new ContainerFile { Name = "entrypoint.sh", Contents = EmbeddedResources.Read("entrypoint.sh"), Mode = ExecutableFile },
    ];

    /// <summary>
    /// Prosody finds <c>{domain}.crt</c> and <c>{domain}.key</c> by name; the key must be readable by its uid. Publish
    /// mode copies no certificate: a key must never reach an image or a generated file, so a deployment gets it
    /// from parameters at start (<see cref="ProsodyConfiguration.TlsFromEnvironment"/>).
    /// </summary>
    public static IEnumerable<ContainerFileSystemItem> CertificatesDirectory(ProsodyConfiguration configuration, IDistributedApplicationBuilder builder, string resourceName)
    {
        if (!configuration.IsRunMode)
        {
            return [];
        }

        if (configuration.Certificates is { CertificatePath: { } certificatePath, KeyPath: { } keyPath })
        {
            return
            [
                new ContainerFile { Name = $"{configuration.Domain}.crt", SourcePath = certificatePath, Mode = ReadableFile },
                new ContainerFile { Name = $"{configuration.Domain}.key", SourcePath = keyPath, Mode = ReadableFile },
            ];
        }

        if (!configuration.UsesDevelopmentCertificate)
        {
            return [];
        }

        var certificate = DevelopmentCertificate.GetOrCreate(builder, resourceName, configuration.Domain);
        return
        [
            new ContainerFile { Name = $"{certificate.Domain}.crt", Contents = certificate.CertificatePem, Mode = ReadableFile },
            new ContainerFile { Name = $"{certificate.Domain}.key", Contents = certificate.PrivateKeyPem, Mode = ReadableFile },
        ];
    }
}
