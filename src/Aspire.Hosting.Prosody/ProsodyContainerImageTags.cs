namespace Aspire.Hosting;

internal static class ProsodyContainerImageTags
{
    /// <remarks>docker.io</remarks>
    public const string Registry = "docker.io";

    /// <remarks>prosodyim/prosody</remarks>
    public const string Image = "prosodyim/prosody";

    /// <remarks>13.0</remarks>
    public const string Tag = "13.0";
}
