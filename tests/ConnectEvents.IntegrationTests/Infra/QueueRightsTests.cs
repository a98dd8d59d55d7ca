using System.Text.Json;
using ConnectEvents.IntegrationTests.Infrastructure;

namespace ConnectEvents.IntegrationTests.Infra;

/// <summary>
/// infra/main.bicep, built to ARM JSON by the pinned Bicep CLI, gives every queue trigger the generated functions.metadata
/// declares its queue, its poison queue and per-queue Storage Queue Data Contributor for the identity its connection
/// uses, in each platform configuration: shared keys are off in Azure, so a queue the template forgets is a 403 at the
/// trigger and a 503 at the ingress that enqueues onto it.
/// </summary>
public sealed class QueueRightsTests(BicepTemplate bicep) : IClassFixture<BicepTemplate>
{
    /// <summary>The configurations checked, each with the queue triggers that must run in it.</summary>
    public static TheoryData<string, string[]> Configurations => new()
    {
        { "both platforms on", ["ProcessConnectEvent", "ProcessPlatform3Notification"] },
        { "as main.bicepparam ships (v3 off)", ["ProcessConnectEvent"] },
        { "Connect off, v3 on", ["ProcessPlatform3Notification"] },
        { "both platforms on, queues renamed", ["ProcessConnectEvent", "ProcessPlatform3Notification"] },
        { "both platforms off", [] },
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void EveryRunningQueueTriggerHasItsQueueAndPoisonQueueWithQueueRightsOnEachAndNoWider(string configuration, string[] running)
    {
        var report = QueueRightsCheck.Run(GeneratedTriggers(), Deploy(configuration));

        Assert.True(report.Problems.Count == 0, $"{configuration}: {report}");
        Assert.Equal(running, report.EnabledTriggers);
    }

    [Fact]
    public void ATriggerOnAQueueTheTemplateDoesNotCreateIsReported()
    {
        // A setting the template does set, naming something that is not a queue: the check must see that nothing creates
        // it, nor its poison queue, nor grants either.
        var forgotten = new QueueTriggerBinding("ProcessForgotten", "%Webhooks__QuarantineContainer%", "AzureWebJobsStorage");

        var deployment = Deploy("both platforms on");
        var report = QueueRightsCheck.Run([.. GeneratedTriggers(), forgotten], deployment);

        var account = Assert.Single(deployment.Created("Microsoft.Storage/storageAccounts")).Name;
        var where = "ProcessForgotten (queue %Webhooks__QuarantineContainer%)";
        Assert.Equal(
            [
                $"{where}: the queue 'connect-events-quarantine' is not created in the storage account '{account}'",
                $"{where}: the identity has no Storage Queue Data Contributor scoped to the queue 'connect-events-quarantine'",
                $"{where}: the queue 'connect-events-quarantine-poison' is not created in the storage account '{account}'",
                $"{where}: the identity has no Storage Queue Data Contributor scoped to the queue 'connect-events-quarantine-poison'",
            ],
            report.Problems);
    }

    [Fact]
    public void ATriggerOnASettingTheAppDoesNotSetIsReported()
    {
        var unset = new QueueTriggerBinding("ProcessUnset", "%Unset__QueueName%", null);

        var report = QueueRightsCheck.Run([.. GeneratedTriggers(), unset], Deploy("both platforms on"));

        Assert.Equal(["ProcessUnset (queue %Unset__QueueName%): the function app does not set Unset__QueueName"], report.Problems);
    }

    private static IReadOnlyList<QueueTriggerBinding> GeneratedTriggers()
    {
        using var metadata = JsonDocument.Parse(File.ReadAllBytes(RepositoryPaths.BuiltFile("functions", "functions.metadata")));
        return QueueTriggerBinding.Read(metadata.RootElement);
    }

    private ArmDeployment Deploy(string configuration)
    {
        var parameters = new Dictionary<string, object?>(bicep.Parameters, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in Overrides(configuration))
        {
            parameters[name] = value;
        }

        return ArmDeployment.Evaluate(bicep.Template, parameters, new ArmScope(SubscriptionId, null), QueueRightsCheck.ResourceTypes);
    }

    private static (string Name, object? Value)[] Overrides(string configuration)
    {
        (string, object?)[] v3On = [("platform3Endpoint", "https://v3.example.test"), ("platform3NotificationKeyId", "key-1")];
        return configuration switch
        {
            "both platforms on" => v3On,
            "as main.bicepparam ships (v3 off)" => [],
            "Connect off, v3 on" => [.. v3On, ("connectEnabled", false)],
            "both platforms on, queues renamed" => [.. v3On, ("queueName", "orders-connect"), ("platform3QueueName", "orders-v3")],
            "both platforms off" => [("connectEnabled", false)],
            _ => throw new ArgumentOutOfRangeException(nameof(configuration), configuration, "no such configuration"),
        };
    }

    private const string SubscriptionId = "00000000-0000-0000-0000-000000000001";
}
