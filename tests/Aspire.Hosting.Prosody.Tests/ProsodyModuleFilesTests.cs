using Aspire.Hosting.Prosody.Publishing;

namespace Aspire.Hosting.Prosody.Tests;

/// <summary>
/// WithModuleFiles: modules from a folder on the AppHost's machine reach Prosody's plugin path in run mode and in the
/// published image, and bad folders or names fail while the app model is built.
/// </summary>
public sealed class ProsodyModuleFilesTests : IDisposable
{
    private const string ModulesDirectory = "/usr/local/lib/prosody-aspire/modules";

    private readonly TestFolders _folders = new("prosody-module-files-");

    public void Dispose() => _folders.Dispose();

    private string Folder(string name, params (string Path, string Contents)[] files) => _folders.Create(name, files);

    /// <summary>The files of the modules directory other than the package's own, by path below it, with their source.</summary>
    private static async Task<Dictionary<string, ContainerFileBase>> FolderModuleFilesAsync(DistributedApplication app, IResource resource) =>
        (await app.AllFilesAsync(resource))
            .Where(f => f.Path.StartsWith(ModulesDirectory + "/", StringComparison.Ordinal) && !f.Path.Contains("/mod_aspire_", StringComparison.Ordinal))
            .ToDictionary(f => f.Path[(ModulesDirectory.Length + 1)..], f => f.File);

    [Fact]
    public async Task AFlatFolderOfModuleFilesLandsOnThePluginPathAndTheNamedModulesAreEnabled()
    {
        var folder = Folder("mine", ("mod_echo.lua", "-- echo"), ("mod_helper.lua", "-- helper"), ("notes.txt", "not a module"));
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat").WithModuleFiles(folder, "echo");
        using var app = builder.Build();

        var files = await FolderModuleFilesAsync(app, chat.Resource);
        Assert.Equal(["mod_echo.lua", "mod_helper.lua"], files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Path.Combine(folder, "mod_echo.lua"), files["mod_echo.lua"].SourcePath);
        Assert.Null(files["mod_echo.lua"].Contents);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, files["mod_echo.lua"].Mode);

        // The package's modules stay beside them, in the one directory Prosody's plugin path already lists.
        var all = (await app.AllFilesAsync(chat.Resource)).Select(f => f.Path).ToList();
        Assert.Contains($"{ModulesDirectory}/mod_aspire_accounts.lua", all);
        Assert.Contains($"{ModulesDirectory}/mod_aspire_health.lua", all);
        var environment = await app.EnvironmentAsync(chat.Resource);
        Assert.Contains(ModulesDirectory, environment["PROSODY_PLUGIN_PATHS"].Split(','));
        var enabled = environment["PROSODY_ENABLE_MODULES"].Split(',');
        Assert.Contains("echo", enabled);
        Assert.DoesNotContain("helper", enabled);
    }

    [Fact]
    public async Task ACommunityCheckoutCopiesEachModuleDirectoryWholeAndLeavesOutWhatIsNoModule()
    {
        var folder = Folder("prosody-modules",
            ("README.md", "community modules"),
            (".hg/store/data", "repository data"),
            ("mod_invites_page/mod_invites_page.lua", "-- invites page"),
            ("mod_invites_page/README.md", "docs"),
            ("mod_invites_page/html/invite.html", "<html/>"),
            ("mod_invites_page/.editorconfig", "root = true"),
            ("mod_http_admin_api/mod_http_admin_api.lua", "-- admin api"),
            ("mod_moved_to_core/README.md", "This module is now part of Prosody."),
            ("mod_flat.lua", "-- a flat module beside them"));
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat").WithModuleFiles(folder, "invites_page", "http_admin_api");
        using var app = builder.Build();

        var files = await FolderModuleFilesAsync(app, chat.Resource);
        Assert.Equal(
            ["mod_flat.lua", "mod_http_admin_api/mod_http_admin_api.lua", "mod_invites_page/README.md", "mod_invites_page/html/invite.html", "mod_invites_page/mod_invites_page.lua"],
            files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Path.Combine(folder, "mod_invites_page", "html", "invite.html"), files["mod_invites_page/html/invite.html"].SourcePath);
        var enabled = (await app.EnvironmentAsync(chat.Resource))["PROSODY_ENABLE_MODULES"].Split(',');
        Assert.Contains("invites_page", enabled);
        Assert.Contains("http_admin_api", enabled);
        Assert.DoesNotContain("flat", enabled);
    }

    [Fact]
    public async Task ARelativeFolderResolvesAgainstTheAppHostDirectoryAndSeveralFoldersCombine()
    {
        var community = Folder("community", ("mod_a/mod_a.lua", "-- a"));
        var own = Folder("own", ("mod_b.lua", "-- b"));
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat")
            .WithModuleFiles(Path.GetRelativePath(builder.AppHostDirectory, community), "a")
            .WithModuleFiles(own)
            .WithModuleFiles(community); // the same folder again adds nothing
        using var app = builder.Build();

        Assert.Equal([community, own], chat.Resource.Settings.ModuleFolders);
        Assert.Equal(["mod_a/mod_a.lua", "mod_b.lua"], (await FolderModuleFilesAsync(app, chat.Resource)).Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TheFolderIsReadWhenTheContainerIsCreatedSoARestartDeliversTheModulesAsTheyAreThen()
    {
        var folder = Folder("live", ("mod_echo.lua", "-- first version"));
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat").WithModuleFiles(folder, "echo");
        using var app = builder.Build();

        File.WriteAllText(Path.Combine(folder, "mod_added_later.lua"), "-- new");
        Directory.CreateDirectory(Path.Combine(folder, "mod_dir"));
        File.WriteAllText(Path.Combine(folder, "mod_dir", "mod_dir.lua"), "-- new too");

        var files = await FolderModuleFilesAsync(app, chat.Resource);
        Assert.Equal(["mod_added_later.lua", "mod_dir/mod_dir.lua", "mod_echo.lua"], files.Keys.Order(StringComparer.Ordinal));
        // A source path, not a copy of the bytes taken at build time: the orchestrator reads the file when it copies it.
        Assert.All(files.Values, f => Assert.Null(f.Contents));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task ThePublishedImageBakesTheModulesInWithTheirBytesThroughTheOneModulesCopy()
    {
        var folder = Folder("prosody-modules",
            ("mod_invites_page/mod_invites_page.lua", "-- invites page"),
            ("mod_invites_page/html/invite.html", "<html>{{ invite }}</html>"),
            ("mod_echo.lua", "-- echo"));
        for (var i = 0; i < 150; i++)
        {
            // A real checkout has hundreds of modules; each COPY line would be an image layer (Docker allows 127).
            File.WriteAllText(Path.Combine(folder, $"mod_filler_{i}.lua"), $"-- {i}");
        }

        var plain = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var plainChat = plain.AddProsody("chat");
        using var plainApp = plain.Build();
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var chat = builder.AddProsody("chat").WithModuleFiles(folder, "invites_page", "echo");
        using var app = builder.Build();

        var (plainDockerfile, _) = await DockerfileAsync(plainApp, plainChat.Resource);
        var (dockerfile, context) = await DockerfileAsync(app, chat.Resource);

        Assert.Equal(CopyLines(plainDockerfile), CopyLines(dockerfile));
        Assert.Contains($"COPY [\"files{ModulesDirectory}\",\"{ModulesDirectory}\"]", CopyLines(dockerfile));
        var baked = Path.Combine(context, ProsodyImage.FilesFolder + ModulesDirectory);
        Assert.Equal("<html>{{ invite }}</html>", File.ReadAllText(Path.Combine(baked, "mod_invites_page", "html", "invite.html")));
        Assert.Equal("-- echo", File.ReadAllText(Path.Combine(baked, "mod_echo.lua")));
        Assert.Equal("-- 149", File.ReadAllText(Path.Combine(baked, "mod_filler_149.lua")));
        Assert.True(File.Exists(Path.Combine(baked, "mod_aspire_accounts.lua")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(Path.Combine(baked, "mod_echo.lua")));

        var enabled = (await app.EnvironmentAsync(chat.Resource, DistributedApplicationOperation.Publish))["PROSODY_ENABLE_MODULES"].Split(',');
        Assert.Contains("invites_page", enabled);
        Assert.Contains("echo", enabled);

        static string[] CopyLines(string dockerfile) => dockerfile.Split('\n').Where(l => l.StartsWith("COPY ", StringComparison.Ordinal)).Select(l => l.Trim()).ToArray();
    }

    private static async Task<(string Dockerfile, string Context)> DockerfileAsync(DistributedApplication app, IResource resource)
    {
        var annotation = Assert.Single(resource.Annotations.OfType<DockerfileBuildAnnotation>());
        var dockerfile = await annotation.DockerfileFactory!(new DockerfileFactoryContext { Services = app.Services, Resource = resource, CancellationToken = CancellationToken.None });
        return (dockerfile, annotation.ContextPath);
    }

    [Fact]
    public void AMissingFolderFailsTheAppModelNamingTheFullPath()
    {
        var chat = TestModel.CreateBuilder().AddProsody("chat");
        var missing = Path.Combine(_folders.Root.FullName, "nowhere");

        var error = Assert.Throws<DirectoryNotFoundException>(() => chat.WithModuleFiles(missing));

        Assert.Contains(missing, error.Message);
        Assert.Empty(chat.Resource.Settings.ModuleFolders);
    }

    [Fact]
    public void AFolderWithoutModulesFailsTheAppModel()
    {
        var folder = Folder("empty", ("README.md", "nothing here"), ("mod_readme_only/README.md", "moved to core"), ("mod_not_lua.txt", "text"));
        var chat = TestModel.CreateBuilder().AddProsody("chat");

        var error = Assert.Throws<ArgumentException>("source", () => chat.WithModuleFiles(folder));

        Assert.Contains("holds no Prosody module", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("echo,mam")]
    [InlineData("echo mam")]
    [InlineData("mod_echo")]
    [InlineData("Echo")]
    [InlineData("echo\"")]
    public void AnInvalidModuleNameToEnableFailsTheAppModel(string name)
    {
        var folder = Folder("mine", ("mod_echo.lua", "-- echo"));
        var chat = TestModel.CreateBuilder().AddProsody("chat");

        Assert.Throws<ArgumentException>("enable", () => chat.WithModuleFiles(folder, name));
        Assert.Empty(chat.Resource.Settings.ModuleFolders);
        Assert.Empty(chat.Resource.Settings.EnabledModules);
    }

    [Fact]
    public void EnablingAModuleTheFolderDoesNotHoldFailsAndPointsToWithEnabledModules()
    {
        var folder = Folder("mine", ("mod_echo.lua", "-- echo"));
        var chat = TestModel.CreateBuilder().AddProsody("chat");

        var error = Assert.Throws<ArgumentException>("enable", () => chat.WithModuleFiles(folder, "echo", "mam"));

        Assert.Contains("'mam' is not a module of", error.Message);
        Assert.Contains("WithEnabledModules", error.Message);
        Assert.Empty(chat.Resource.Settings.ModuleFolders);
        Assert.Empty(chat.Resource.Settings.EnabledModules);
    }

    [Theory]
    [InlineData("mod_aspire_health.lua")]
    [InlineData("mod_aspire_accounts/mod_aspire_accounts.lua")]
    [InlineData("mod_aspire_mine.lua")]
    public void AModuleNamedWithThePackagesReservedPrefixFailsTheAppModel(string path)
    {
        var folder = Folder("mine", ("mod_echo.lua", "-- echo"), (path, "-- would shadow the package's module"));
        var chat = TestModel.CreateBuilder().AddProsody("chat");

        var error = Assert.Throws<ArgumentException>("source", () => chat.WithModuleFiles(folder, "echo"));

        Assert.Contains("mod_aspire_", error.Message);
    }

    [Theory]
    [InlineData("mod_Echo.lua")]
    [InlineData("mod_echo mam.lua")]
    [InlineData("mod_.lua")]
    [InlineData("mod_x,y/mod_x,y.lua")]
    public void AModuleFileNamedAsNoModuleCanBeFailsTheAppModel(string path)
    {
        var folder = Folder("mine", ("mod_echo.lua", "-- echo"), (path, "--"));
        var chat = TestModel.CreateBuilder().AddProsody("chat");

        var error = Assert.Throws<ArgumentException>("source", () => chat.WithModuleFiles(folder));

        Assert.Contains("is not named as a Prosody module can be", error.Message);
    }

    [Fact]
    public void AModuleProvidedTwiceFailsTheAppModelNamingBothPlaces()
    {
        var first = Folder("first", ("mod_echo.lua", "-- one"));
        var second = Folder("second", ("mod_echo/mod_echo.lua", "-- another"));
        var both = Folder("both", ("mod_same.lua", "-- flat"), ("mod_same/mod_same.lua", "-- directory"));
        var chat = TestModel.CreateBuilder().AddProsody("chat").WithModuleFiles(first);

        var error = Assert.Throws<ArgumentException>("source", () => chat.WithModuleFiles(second));
        Assert.Contains(Path.Combine(first, "mod_echo.lua"), error.Message);
        Assert.Contains(Path.Combine(second, "mod_echo"), error.Message);
        Assert.Equal([first], chat.Resource.Settings.ModuleFolders);

        Assert.Throws<ArgumentException>("source", () => TestModel.CreateBuilder().AddProsody("chat").WithModuleFiles(both));
    }

    [Fact]
    public void NullArgumentsAreRejected()
    {
        IResourceBuilder<ProsodyResource> nothing = null!;
        var folder = Folder("mine", ("mod_echo.lua", "-- echo"));

        Assert.Throws<ArgumentNullException>("builder", () => nothing.WithModuleFiles(folder));
        Assert.Throws<ArgumentNullException>("source", () => TestModel.CreateBuilder().AddProsody("chat").WithModuleFiles(null!));
        Assert.Throws<ArgumentException>("source", () => TestModel.CreateBuilder().AddProsody("chat").WithModuleFiles(""));
        Assert.Throws<ArgumentNullException>("enable", () => TestModel.CreateBuilder().AddProsody("chat").WithModuleFiles(folder, null!));
    }
}
