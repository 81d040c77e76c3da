using System.Net;

namespace Prosody.Tests.Shared;

/// <summary>
/// The address the tests' own servers (scripted XMPP servers, the OTLP receiver) listen on. On Linux, Podman publishes
/// a running container's ports as NAT rules for 127.0.0.1 that hold no socket, so a test server that the kernel gives
/// one of those free ports would have its clients' connections sent to a container instead ("No route to host" once
/// the container is gone). Every 127.x address is loopback on Linux; elsewhere only 127.0.0.1 is there by default.
/// </summary>
internal static class TestLoopback
{
    public static IPAddress Address { get; } = OperatingSystem.IsLinux() ? IPAddress.Parse("127.0.0.2") : IPAddress.Loopback;

    public static string Host { get; } = Address.ToString();
}
