using System.Text.Json;

namespace ConnectEvents.IntegrationTests.Infra;

/// <summary>
/// The queue check itself, on a small hand-written template that gets things wrong on purpose: it must report each
/// missing queue and grant, an account-wide grant, a grant whose condition is false, and stop on what it cannot evaluate.
/// </summary>
public sealed class QueueRightsCheckTests
{
    private const string Account = "stcheck";
    private const string AccountId = "/subscriptions/00000000-0000-0000-0000-000000000002/resourceGroups/rg-check/providers/Microsoft.Storage/storageAccounts/stcheck";

    // The queues come from a copy loop; the app's identity has Queue Data Contributor on 'orders' (scope written relative,
    // as Bicep does for some scopes), on 'orders-poison' only under a false condition, on the whole account, and an
    // operator holds it on 'orders-poison', which is not the app's grant.
    private const string Template = """
        {
          "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
          "contentVersion": "1.0.0.0",
          "parameters": { "accountName": { "type": "string", "defaultValue": "stcheck" }, "ordersQueue": { "type": "string", "defaultValue": "orders" } },
          "variables": {
            "queues": "[createArray(parameters('ordersQueue'), format('{0}-poison', parameters('ordersQueue')))]",
            "identityId": "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-check')]",
            "queueContributor": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '974c5e8b-45b9-4653-ba55-5f855dd0fb88')]"
          },
          "resources": [
            { "type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31", "name": "id-check" },
            { "type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01", "name": "[parameters('accountName')]" },
            {
              "copy": { "name": "queues", "count": "[length(variables('queues'))]" },
              "type": "Microsoft.Storage/storageAccounts/queueServices/queues", "apiVersion": "2023-05-01",
              "name": "[format('{0}/default/{1}', parameters('accountName'), variables('queues')[copyIndex()])]"
            },
            {
              "type": "Microsoft.Web/sites", "apiVersion": "2024-04-01", "name": "func-check",
              "identity": { "type": "UserAssigned", "userAssignedIdentities": { "[variables('identityId')]": {} } },
              "properties": { "siteConfig": { "appSettings": [
                { "name": "AzureWebJobsStorage__accountName", "value": "[parameters('accountName')]" },
                { "name": "AzureWebJobsStorage__clientId", "value": "[reference(variables('identityId'), '2023-01-31').clientId]" },
                { "name": "Orders__QueueName", "value": "[parameters('ordersQueue')]" },
                { "name": "Forgotten__QueueName", "value": "forgotten" },
                { "name": "AzureWebJobs.ProcessOff.Disabled", "value": "[string(true())]" }
              ] } }
            },
            {
              "type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01", "name": "[guid('orders')]",
              "scope": "[format('Microsoft.Storage/storageAccounts/{0}/queueServices/default/queues/{1}', parameters('accountName'), parameters('ordersQueue'))]",
              "properties": { "principalId": "[reference(variables('identityId'), '2023-01-31').principalId]", "roleDefinitionId": "[variables('queueContributor')]" }
            },
            {
              "condition": "[equals(parameters('ordersQueue'), 'never')]",
              "type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01", "name": "[guid('orders-poison')]",
              "scope": "[format('{0}/queueServices/default/queues/orders-poison', resourceId('Microsoft.Storage/storageAccounts', parameters('accountName')))]",
              "properties": { "principalId": "[reference(variables('identityId'), '2023-01-31').principalId]", "roleDefinitionId": "[variables('queueContributor')]" }
            },
            {
              "type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01", "name": "[guid('account')]",
              "scope": "[resourceId('Microsoft.Storage/storageAccounts', parameters('accountName'))]",
              "properties": { "principalId": "[reference(variables('identityId'), '2023-01-31').principalId]", "roleDefinitionId": "[variables('queueContributor')]" }
            },
            {
              "type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01", "name": "[guid('operator')]",
              "scope": "[format('{0}/queueServices/default/queues/orders-poison', resourceId('Microsoft.Storage/storageAccounts', parameters('accountName')))]",
              "properties": { "principalId": "11111111-1111-1111-1111-111111111111", "roleDefinitionId": "[variables('queueContributor')]" }
            }
          ]
        }
        """;

    private static readonly QueueTriggerBinding[] Triggers =
    [
        new("ProcessOrders", "%Orders__QueueName%", "AzureWebJobsStorage"),
        new("ProcessForgotten", "%Forgotten__QueueName%", null),
        new("ProcessUnset", "%Unset__QueueName%", null),
        new("ProcessOff", "%Off__QueueName%", null),
    ];

    [Fact]
    public void EachMissingQueueMissingGrantAndAccountWideGrantIsReported()
    {
        var report = QueueRightsCheck.Run(Triggers, Deploy(Template));

        Assert.Equal(["ProcessForgotten", "ProcessOrders", "ProcessUnset"], report.EnabledTriggers);
        Assert.Equal(
            [
                $"ProcessForgotten (queue %Forgotten__QueueName%): the queue 'forgotten' is not created in the storage account '{Account}'",
                $"ProcessForgotten (queue %Forgotten__QueueName%): the identity has no Storage Queue Data Contributor scoped to the queue 'forgotten' (only at the wider scope {AccountId})",
                $"ProcessForgotten (queue %Forgotten__QueueName%): the queue 'forgotten-poison' is not created in the storage account '{Account}'",
                $"ProcessForgotten (queue %Forgotten__QueueName%): the identity has no Storage Queue Data Contributor scoped to the queue 'forgotten-poison' (only at the wider scope {AccountId})",
                $"ProcessOrders (queue %Orders__QueueName%): the identity has no Storage Queue Data Contributor scoped to the queue 'orders-poison' (only at the wider scope {AccountId})",
                "ProcessUnset (queue %Unset__QueueName%): the function app does not set Unset__QueueName",
                $"Storage Queue Data Contributor is granted to the app's identity at {AccountId}, which is wider than one queue (not least privilege)",
            ],
            report.Problems);
    }

    [Fact]
    public void AGrantOnAQueueNoRunningTriggerReadsIsReported()
    {
        // With ProcessOrders switched off, its queue rights are more than the app needs.
        var template = Template.Replace("\"AzureWebJobs.ProcessOff.Disabled\"", "\"AzureWebJobs.ProcessOrders.Disabled\"", StringComparison.Ordinal);

        var report = QueueRightsCheck.Run([Triggers[0]], Deploy(template));

        Assert.Empty(report.EnabledTriggers);
        Assert.Contains("Storage Queue Data Contributor is granted to the app's identity on the queue 'orders', which no enabled queue trigger reads (nor is it one's poison queue)", report.Problems);
    }

    [Fact]
    public void AnExpressionFunctionTheCheckerDoesNotKnowStopsTheCheck()
    {
        var template = Template.Replace("\"[parameters('ordersQueue')]\" }", "\"[base64(parameters('ordersQueue'))]\" }", StringComparison.Ordinal);

        var error = Assert.Throws<ArmEvaluationException>(() => QueueRightsCheck.Run(Triggers, Deploy(template)));

        Assert.Contains("The template function 'base64' is not one the checker evaluates", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AQueueNameOnlyTheDeploymentKnowsStopsTheCheck()
    {
        var template = Template.Replace("\"[parameters('ordersQueue')]\" }", "\"[reference(variables('identityId'), '2023-01-31').name]\" }", StringComparison.Ordinal);

        var error = Assert.Throws<ArmEvaluationException>(() => QueueRightsCheck.Run(Triggers, Deploy(template)));

        Assert.Contains("Orders__QueueName", error.Message, StringComparison.Ordinal);
        Assert.Contains("which only the deployment knows", error.Message, StringComparison.Ordinal);
    }

    private static ArmDeployment Deploy(string template)
    {
        using var document = JsonDocument.Parse(template);
        return ArmDeployment.Evaluate(document.RootElement.Clone(), new Dictionary<string, object?>(), new ArmScope("00000000-0000-0000-0000-000000000002", "rg-check"), QueueRightsCheck.ResourceTypes);
    }
}
