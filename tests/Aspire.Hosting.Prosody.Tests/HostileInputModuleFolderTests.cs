using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.Versioning;
using Aspire.Hosting.Prosody.Modules;

namespace Aspire.Hosting.Prosody.Tests;

/// <summary>
/// Hostile module folders (WithModuleFiles): whatever is copied reaches the container and a published image, so links
/// out of the folder, links to nothing, FIFOs, sockets, devices and oversized files are refused, naming the argument,
/// while the app model is built and again when the container is created; the same folder twice counts once.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class HostileInputModuleFolderTests : IDisposable
{
    private readonly TestFolders _folders = new("prosody-hostile-modules-");

    public void Dispose() => _folders.Dispose();

    private string Folder(string name, params (string Path, string Contents)[] files) => _folders.Create(name, files);

    private string Secret()
    {
        var secret = Path.Combine(_folders.Root.FullName, "outside", "shadow");
        Directory.CreateDirectory(Path.GetDirectoryName(secret)!);
        File.WriteAllText(secret, "root:$6$secret-hash:19000:0:99999:7:::");
        return secret;
    }

    private static IResourceBuilder<ProsodyResource> Chat(DistributedApplicationOperation operation = DistributedApplicationOperation.Run) =>
        TestModel.CreateBuilder(operation).AddProsody("chat");

    [Theory]
    [InlineData("mod_evil.lua")]
    [InlineData("mod_echo/shadow.txt")]
    [InlineData("mod_echo/templates/shadow.html")]
    public void ASymbolicLinkThatResolvesOutsideTheFolderIsRefusedNamingItsTarget(string link)
    {
        var secret = Secret();
        var folder = Folder("mine", ("mod_echo/mod_echo.lua", "-- echo"));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(folder, link))!);
        File.CreateSymbolicLink(Path.Combine(folder, link), secret);
        var chat = Chat();

        var error = Assert.Throws<ArgumentException>("source", () => chat.WithModuleFiles(folder, "echo"));

        Assert.Contains("outside the modules folder", error.Message);
        Assert.Contains(secret, error.Message);
        Assert.Empty(chat.Resource.Settings.ModuleFolders);
    }

    [Fact]
    public void ALinkThroughALinkedDirectoryOutsideTheFolderIsRefusedToo()
    {
        var secret = Secret();
        var folder = Folder("mine", ("mod_echo/mod_echo.lua", "-- echo"));
        // mod_echo/up -> .. (inside), mod_echo/data -> up/../outside/shadow: textually inside, really outside.
        Directory.CreateSymbolicLink(Path.Combine(folder, "mod_echo", "up"), "..");
        File.CreateSymbolicLink(Path.Combine(folder, "mod_echo", "data"), Path.Combine("up", "..", "outside", Path.GetFileName(secret)));

        var error = Assert.Throws<ArgumentException>("source", () => Chat().WithModuleFiles(folder, "echo"));

        Assert.Contains("outside the modules folder", error.Message);
    }

    [Fact]
    public async Task ASymbolicLinkInsideTheFolderIsCopiedFromItsTarget()
    {
        var folder = Folder("mine", ("mod_echo/mod_echo.lua", "-- echo"), ("shared/util.lib.lua", "-- shared"));
        File.CreateSymbolicLink(Path.Combine(folder, "mod_echo", "util.lib.lua"), Path.Combine("..", "shared", "util.lib.lua"));
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat").WithModuleFiles(folder, "echo");
        using var app = builder.Build();

        var file = Assert.Single((await app.AllFilesAsync(chat.Resource)), f => f.Path.EndsWith("/mod_echo/util.lib.lua", StringComparison.Ordinal));
        Assert.Equal(Path.Combine(folder, "shared", "util.lib.lua"), file.File.SourcePath);
    }

    [Theory]
    [InlineData("mod_gone.lua", "nowhere.lua")]
    [InlineData("mod_echo/template.html", "missing.html")]
    public void ADanglingSymbolicLinkIsRefusedAtBuildNotAtStart(string link, string target)
    {
        var folder = Folder("mine", ("mod_echo/mod_echo.lua", "-- echo"));
        File.CreateSymbolicLink(Path.Combine(folder, link), target);

        var error = Assert.Throws<ArgumentException>("source", () => Chat().WithModuleFiles(folder, "echo"));

        Assert.Contains("does not exist", error.Message);
        Assert.Contains(target, error.Message);
    }

    [Fact]
    public void SymbolicLinksThatLoopAreRefused()
    {
        var folder = Folder("mine", ("mod_echo.lua", "-- echo"));
        File.CreateSymbolicLink(Path.Combine(folder, "mod_a.lua"), "mod_b.lua");
        File.CreateSymbolicLink(Path.Combine(folder, "mod_b.lua"), "mod_a.lua");

        var error = Assert.Throws<ArgumentException>("source", () => Chat().WithModuleFiles(folder, "echo"));

        Assert.Contains("loop", error.Message);
    }

    [Fact]
    public async Task AFifoIsRefusedAtBuildAndLaterAtContainerCreationAndPublishWithoutHanging()
    {
        var folder = Folder("mine", ("mod_echo/mod_echo.lua", "-- echo"));
        MakeFifo(Path.Combine(folder, "mod_echo", "pipe.lua"));

        var error = Assert.Throws<ArgumentException>("source", () => Chat().WithModuleFiles(folder, "echo"));
        Assert.Contains("FIFO", error.Message);

        // Added after the model was built: the copy step refuses it instead of blocking on it for ever.
        File.Delete(Path.Combine(folder, "mod_echo", "pipe.lua"));
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var chat = builder.AddProsody("chat").WithModuleFiles(folder, "echo");
        using var app = builder.Build();
        MakeFifo(Path.Combine(folder, "mod_echo", "pipe.lua"));

        var annotation = Assert.Single(chat.Resource.Annotations.OfType<DockerfileBuildAnnotation>());
        var publish = annotation.DockerfileFactory!(new DockerfileFactoryContext { Services = app.Services, Resource = chat.Resource, CancellationToken = CancellationToken.None });
        var late = await Assert.ThrowsAsync<ArgumentException>("source", () => publish.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Contains("FIFO", late.Message);
    }

    [Fact]
    public void ASocketIsRefused()
    {
        var folder = Folder("mine", ("mod_echo/mod_echo.lua", "-- echo"));
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(folder, "mod_echo", "control.sock")));

        var error = Assert.Throws<ArgumentException>("source", () => Chat().WithModuleFiles(folder, "echo"));

        Assert.Contains("socket", error.Message);
    }

    [Fact]
    public void ADeviceIsToldApartFromAFile()
    {
        // Creating a device node needs root; a link to one is refused as a link out of the folder anyway.
        Assert.Equal("character device", UnixFileType.Of("/dev/null"));
        Assert.Null(UnixFileType.Of(typeof(HostileInputModuleFolderTests).Assembly.Location));
        Assert.Null(UnixFileType.Of(Path.GetTempPath()));
    }

    [Fact]
    public void AFileLargerThanSixteenMebibytesIsRefusedNamingTheLimit()
    {
        var folder = Folder("mine", ("mod_echo/mod_echo.lua", "-- echo"));
        Sparse(Path.Combine(folder, "mod_echo", "huge.bin"), ProsodyModuleFolders.MaxFileBytes + 1);

        var error = Assert.Throws<ArgumentException>("source", () => Chat().WithModuleFiles(folder, "echo"));

        Assert.Contains("16 MiB", error.Message);
        Assert.Contains("huge.bin", error.Message);
    }

    [Fact]
    public void FilesUpToTheLimitArePassedButNotMoreThanSixtyFourMebibytesInAll()
    {
        var first = Folder("first", ("mod_a/mod_a.lua", "-- a"));
        var second = Folder("second", ("mod_b/mod_b.lua", "-- b"));
        for (var i = 0; i < 3; i++)
        {
            Sparse(Path.Combine(first, "mod_a", $"data{i}.bin"), ProsodyModuleFolders.MaxFileBytes);
            Sparse(Path.Combine(second, "mod_b", $"data{i}.bin"), ProsodyModuleFolders.MaxFileBytes);
        }

        var chat = Chat().WithModuleFiles(first, "a"); // 48 MiB: within the limit

        var error = Assert.Throws<ArgumentException>("source", () => chat.WithModuleFiles(second, "b"));
        Assert.Contains("64 MiB", error.Message);
        Assert.Single(chat.Resource.Settings.ModuleFolders);
    }

    [Fact]
    public void TheSameFolderGivenTwiceInOtherSpellingsCountsOnce()
    {
        var folder = Folder("mine", ("mod_echo.lua", "-- echo"), ("mod_other.lua", "-- other"));
        var alias = Path.Combine(_folders.Root.FullName, "alias");
        Directory.CreateSymbolicLink(alias, folder);

        var chat = Chat()
            .WithModuleFiles(folder, "echo")
            .WithModuleFiles(folder + Path.DirectorySeparatorChar, "other")
            .WithModuleFiles(Path.Combine(folder, "..", "mine"))
            .WithModuleFiles(alias);

        Assert.Equal([folder], chat.Resource.Settings.ModuleFolders);
        Assert.Contains("echo", chat.Resource.Settings.EnabledModules);
        Assert.Contains("other", chat.Resource.Settings.EnabledModules);
    }

    [Fact]
    public void AnEmptyFileIsWrittenFromItsContentsSoItIsNeverOpened()
    {
        var folder = Folder("mine", ("mod_echo/mod_echo.lua", "-- echo"), ("mod_echo/empty.txt", ""));
        var module = Assert.Single(ProsodyModuleFolders.Scan([folder], "source"));

        var empty = Assert.Single(((ProsodyModuleDirectory)module.Entry).Entries, e => e.Name == "empty.txt");
        Assert.Equal(0, ((ProsodyModuleFile)empty).Length);
    }

    private static void Sparse(string path, long length)
    {
        using var stream = File.Create(path);
        stream.SetLength(length);
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }
}
