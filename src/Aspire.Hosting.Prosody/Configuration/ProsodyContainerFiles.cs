using Aspire.Hosting.Prosody.Modules;
using Aspire.Hosting.Prosody.Tls;

namespace Aspire.Hosting.Prosody.Configuration;

/// <summary>
/// The files the Prosody container gets, per destination directory: the generated conf.d file, the user's
/// configuration, the package's modules and those of the app model's module folders, the entrypoint wrapper, and the
/// certificates. Run mode copies them into the container at start; publish mode bakes all but the certificates into
/// the derived image (<see cref="Publishing.ProsodyImage"/>), so both deliver the same bytes.
/// </summary>
internal static class ProsodyContainerFiles
{
    public const UnixFileMode ReadableFile = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    public const UnixFileMode ExecutableFile = ReadableFile | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>The modules this package ships, by file name in the embedded resources.</summary>
    public static readonly string[] ShippedModules = [$"mod_{ProsodyConfiguration.AccountsModule}.lua", $"mod_{ProsodyConfiguration.HealthModule}.lua",
        $"mod_{ProsodyConfiguration.FederationModule}.lua", $"mod_{ProsodyConfiguration.SqlFailoverModule}.lua"];

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

    /// <summary>
    /// The entrypoint wrapper and the modules directory on Prosody's plugin path: the package's modules and those of
    /// the app model's module folders. The folders are read here, when the container is created, so a restart
    /// delivers the modules as they are on disk then.
    /// </summary>
    public static IEnumerable<ContainerFileSystemItem> SupportDirectory(ProsodyConfiguration configuration) =>
    [
        new ContainerDirectory
        {
            Name = "modules",
            Entries =
            [
                .. ShippedModules.Select(name => new ContainerFile { Name = name, Contents = EmbeddedResources.Read(name), Mode = ReadableFile }),
                .. ProsodyModuleFolders.Scan(configuration.Settings.ModuleFolders, "source").Select(FolderModule),
            ],
        },
        new ContainerFile { Name = "entrypoint.sh", Contents = EmbeddedResources.Read("entrypoint.sh"), Mode = ExecutableFile },
    ];

    /// <summary>A module of a folder: its <c>mod_x.lua</c>, or its whole directory (templates and libraries included), as checked by the scan.</summary>
    private static ContainerFileSystemItem FolderModule(ProsodyModuleSource module) => Copied(module.Entry);

    private static ContainerFileSystemItem Copied(ProsodyModuleEntry entry) => entry switch
    {
        ProsodyModuleDirectory directory => new ContainerDirectory { Name = directory.Name, Entries = [.. directory.Entries.Select(Copied)] },
        // An empty file is written from its contents and never opened (see ProsodyModuleFolders).
        ProsodyModuleFile { Length: 0 } file => new ContainerFile { Name = file.Name, Contents = "", Mode = ReadableFile },
        // The source path, not the contents: the orchestrator and the publish context read the file's bytes as they are.
        ProsodyModuleFile file => new ContainerFile { Name = file.Name, SourcePath = file.SourcePath, Mode = ReadableFile },
        _ => throw new NotSupportedException(entry.GetType().Name),
    };

    /// <summary>
    /// Prosody finds <c>{domain}.crt</c> and <c>{domain}.key</c> by name; the key must be readable by its uid. Publish
    /// mode copies no certificate: a key must never reach an image or a generated file, so a deployment gets it
    /// from parameters at start (<see cref="ProsodyConfiguration.TlsFromEnvironment"/>).
    /// </summary>
    public static IEnumerable<ContainerFileSystemItem> CertificatesDirectory(ProsodyConfiguration configuration, IDistributedApplicationBuilder builder, string resourceName)
    {
        switch (configuration.CertificateFiles)
        {
            case ProsodyCertificateFiles.AppModel:
                var certificates = configuration.Settings.Certificates!;
                return
                [
                    new ContainerFile { Name = $"{configuration.Settings.Domain}.crt", SourcePath = certificates.CertificatePath, Mode = ReadableFile },
                    new ContainerFile { Name = $"{configuration.Settings.Domain}.key", SourcePath = certificates.KeyPath, Mode = ReadableFile },
                ];
            case ProsodyCertificateFiles.Development:
                var certificate = DevelopmentCertificate.GetOrCreate(builder, resourceName, configuration.Settings.Domain);
                return
                [
                    new ContainerFile { Name = $"{certificate.Domain}.crt", Contents = certificate.CertificatePem, Mode = ReadableFile },
                    new ContainerFile { Name = $"{certificate.Domain}.key", Contents = certificate.PrivateKeyPem, Mode = ReadableFile },
                ];
            default:
                return [];
        }
    }
}
