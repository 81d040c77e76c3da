using System.Reflection;
using Xunit.v3;

namespace Aspire.Hosting.Prosody.Testing;

/// <summary>
/// States that a test (or every test of a class) runs these images under a real container runtime. Before the test
/// runs, the runtime and the images are checked once: if they are missing the test is skipped on a developer's
/// machine, and fails where PROSODY_REQUIRE_CONTAINERS=1 (CI), so CI never passes with tests skipped.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false)]
internal sealed class RequiresContainersAttribute(params ContainerImage[] images) : BeforeAfterTestAttribute
{
    public IReadOnlyList<ContainerImage> Images { get; } = images.Length == 0 ? [ContainerImage.Prosody] : images;

    public override void Before(MethodInfo methodUnderTest, IXunitTest test) =>
        ContainerRuntime.Require(Images.Select(ContainerImages.Reference).ToArray());
}
