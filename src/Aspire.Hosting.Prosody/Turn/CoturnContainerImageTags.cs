namespace Aspire.Hosting;

internal static class CoturnContainerImageTags
{
    /// <remarks>docker.io</remarks>
    public const string Registry = "docker.io";

    /// <remarks>coturn/coturn</remarks>
    public const string Image = "coturn/coturn";

    /// <remarks>4.6.1</remarks>
    public const string Tag = "4.6.1";
}
