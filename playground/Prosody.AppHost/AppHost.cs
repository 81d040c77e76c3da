// The playground: everything Aspire.Hosting.Prosody does, in one AppHost.
// Run it with `dotnet run --project playground/Prosody.AppHost` and open the dashboard it prints.
var builder = DistributedApplication.CreateBuilder(args);

var chat = builder.AddProsody("chat")
    .WithUser("alice")
    .WithUser("bob")
    .WithMultiUserChat()
    .WithFileShare(sizeLimitMegabytes: 20, expiryDays: 7)
    .WithMessageArchive(retentionDays: 30)
    .WithDataVolume();

builder.Build().Run();
