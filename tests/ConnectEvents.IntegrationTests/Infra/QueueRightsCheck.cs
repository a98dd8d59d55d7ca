using System.Text.RegularExpressions;

namespace ConnectEvents.IntegrationTests.Infra;

/// <summary>
/// Checks a deployment against the app's queue triggers: every trigger that is not switched off in the function app's
/// settings reads a queue that the deployment creates, next to its <c>-poison</c> queue, in the storage account its
/// connection names; the identity that connection uses holds Storage Queue Data Contributor on each of those queues
/// itself; and that role is granted to the app on nothing else (no other queue, nothing account-wide).
/// </summary>
public static partial class QueueRightsCheck
{
    /// <summary>The built-in Storage Queue Data Contributor role.</summary>
    public const string QueueDataContributorRoleId = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";

    /// <summary>The queue resource type.</summary>
    public const string QueueType = "Microsoft.Storage/storageAccounts/queueServices/queues";

    /// <summary>The suffix the WebJobs queue listener gives the queue it moves failed messages to.</summary>
    public const string PoisonSuffix = "-poison";

    private const string StorageAccountType = "Microsoft.Storage/storageAccounts";
    private const string SiteType = "Microsoft.Web/sites";
    private const string SiteConfigType = "Microsoft.Web/sites/config";
    private const string RoleAssignmentType = "Microsoft.Authorization/roleAssignments";

    /// <summary>The host's default connection of a queue trigger that names none.</summary>
    private const string DefaultConnection = "AzureWebJobsStorage";

    /// <summary>The resource types the check reads (for <see cref="ArmDeployment.Evaluate"/>).</summary>
    public static IReadOnlyList<string> ResourceTypes { get; } = [StorageAccountType, QueueType, SiteType, SiteConfigType, RoleAssignmentType];

    /// <summary>Runs the check.</summary>
    /// <exception cref="ArmEvaluationException">An answer depends on something the checker does not evaluate.</exception>
    public static QueueRightsReport Run(IEnumerable<QueueTriggerBinding> triggers, ArmDeployment deployment)
    {
        var problems = new List<string>();
        var enabled = new List<string>();
        var sites = deployment.Created(SiteType).ToList();
        if (sites.Count != 1)
        {
            return new QueueRightsReport(enabled, [$"the deployment creates {sites.Count} function apps ({SiteType}); the check needs exactly one"]);
        }

        if (deployment.Created(SiteConfigType).Any())
        {
            throw new ArmEvaluationException($"The template sets site configuration in a {SiteConfigType} resource; the checker reads app settings from the site's siteConfig only.");
        }

        var site = sites[0];
        var settings = AppSettings(site, problems);
        var identities = UserAssignedIdentities(site);
        var grants = QueueGrants(deployment, identities);
        var required = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        foreach (var trigger in triggers.OrderBy(t => t.Function, StringComparer.Ordinal))
        {
            if (IsDisabled(trigger, settings, problems))
            {
                continue;
            }

            enabled.Add(trigger.Function);
            var where = $"{trigger.Function} (queue {trigger.QueueName})";
            if (Resolve(trigger, settings, problems) is not { } queue)
            {
                continue;
            }

            var connection = trigger.Connection ?? DefaultConnection;
            if (Setting(settings, connection + "__accountName") is not string account)
            {
                problems.Add($"{where}: its connection '{connection}' has no {connection}__accountName app setting; the check follows identity-based connections only");
                continue;
            }

            if (Setting(settings, connection + "__clientId") is not DeploymentTimeValue { Path: "clientId" } clientId)
            {
                problems.Add($"{where}: its connection's {connection}__clientId app setting does not name a user-assigned identity's clientId, so the check cannot tell which identity reads the queue");
                continue;
            }

            if (!identities.Contains(clientId.ResourceId, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"{where}: the identity its connection uses ({clientId.ResourceId}) is not assigned to the function app");
            }

            if (deployment.Created(StorageAccountType).FirstOrDefault(a => a.Name == account) is not { } storage)
            {
                problems.Add($"{where}: the storage account '{account}' its connection names is not created");
                continue;
            }

            var principal = new DeploymentTimeValue(clientId.ResourceId, "principalId");
            foreach (var name in new[] { queue, queue + PoisonSuffix })
            {
                if (!deployment.Created(QueueType).Any(q => q.Name == $"{account}/default/{name}"))
                {
                    problems.Add($"{where}: the queue '{name}' is not created in the storage account '{account}'");
                }

                var queueId = $"{storage.Id}/queueServices/default/queues/{name}";
                required.Add(queueId);
                var mine = grants.Where(g => g.Principal.Equals(principal)).ToList();
                if (!mine.Any(g => string.Equals(g.Scope, queueId, StringComparison.OrdinalIgnoreCase)))
                {
                    var wider = mine.Where(g => ArmScope.Contains(g.Scope, queueId)).Select(g => g.Scope).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                    problems.Add($"{where}: the identity has no Storage Queue Data Contributor scoped to the queue '{name}'"
                        + (wider.Count > 0 ? $" (only at the wider scope {string.Join(", ", wider)})" : ""));
                }
            }
        }

        foreach (var grant in grants.Where(g => !required.Contains(g.Scope)))
        {
            problems.Add(QueueScope().Match(grant.Scope) is { Success: true } match
                ? $"Storage Queue Data Contributor is granted to the app's identity on the queue '{match.Groups["queue"].Value}', which no enabled queue trigger reads (nor is it one's poison queue)"
                : $"Storage Queue Data Contributor is granted to the app's identity at {grant.Scope}, which is wider than one queue (not least privilege)");
        }

        return new QueueRightsReport(enabled, problems);
    }

    private static Dictionary<string, ArmObject> AppSettings(DeployedResource site, List<string> problems)
    {
        var settings = new Dictionary<string, ArmObject>(StringComparer.OrdinalIgnoreCase);
        var siteConfig = (site.Get("properties") as ArmObject)?.Find("siteConfig") as ArmObject;
        if (siteConfig?.Find("appSettings") is not { } list)
        {
            return settings;
        }

        foreach (var entry in list as IReadOnlyList<object?> ?? throw new ArmEvaluationException($"The app settings of {site} are {ArmFunctions.Describe(list)}, not an array."))
        {
            var setting = entry as ArmObject ?? throw new ArmEvaluationException($"An app setting of {site} is {ArmFunctions.Describe(entry)}, not an object.");
            var name = ArmTemplate.Text(setting.Get("name"), "app setting name");
            if (!settings.TryAdd(name, setting))
            {
                problems.Add($"the function app sets {name} twice");
            }
        }

        return settings;
    }

    /// <summary>An app setting's value (evaluated only now, as many hold values only the deployment knows), or null when it is not set.</summary>
    private static object? Setting(Dictionary<string, ArmObject> settings, string name) =>
        settings.TryGetValue(name, out var setting) ? setting.Get("value") : null;

    private static bool IsDisabled(QueueTriggerBinding trigger, Dictionary<string, ArmObject> settings, List<string> problems)
    {
        var name = $"AzureWebJobs.{trigger.Function}.Disabled";
        switch (Setting(settings, name))
        {
            case null:
                return false;
            case string text when bool.TryParse(text, out var disabled):
                return disabled;
            case "1":
                return true;
            case "0":
                return false;
            case var other:
                problems.Add($"{trigger.Function}: {name} is {ArmFunctions.Describe(other)}, which says neither true nor false; its queue is checked as if it runs");
                return false;
        }
    }

    private static string? Resolve(QueueTriggerBinding trigger, Dictionary<string, ArmObject> settings, List<string> problems)
    {
        var missing = new List<string>();
        var queue = SettingReference().Replace(trigger.QueueName, m =>
        {
            var name = m.Groups["name"].Value;
            switch (Setting(settings, name))
            {
                case string value:
                    return value;
                case null:
                    missing.Add(name);
                    return m.Value;
                case var other:
                    throw new ArmEvaluationException($"The app setting {name} (the queue of {trigger.Function}) is {ArmFunctions.Describe(other)}, not a name the checker can follow.");
            }
        });
        if (missing.Count > 0)
        {
            problems.Add($"{trigger.Function} (queue {trigger.QueueName}): the function app does not set {string.Join(", ", missing)}");
            return null;
        }

        return queue;
    }

    private static List<string> UserAssignedIdentities(DeployedResource site)
    {
        var identity = site.Get("identity") as ArmObject;
        var type = identity?.Find("type") as string ?? "";
        return type.Contains("UserAssigned", StringComparison.OrdinalIgnoreCase) && identity!.Find("userAssignedIdentities") is ArmObject assigned
            ? [.. assigned.Names]
            : [];
    }

    private static List<QueueGrant> QueueGrants(ArmDeployment deployment, List<string> identities)
    {
        var principals = identities.Select(id => new DeploymentTimeValue(id, "principalId")).ToHashSet();
        var grants = new List<QueueGrant>();
        foreach (var assignment in deployment.Created(RoleAssignmentType))
        {
            var properties = assignment.Get("properties") as ArmObject ?? throw new ArmEvaluationException($"The role assignment {assignment} has no properties.");
            var role = ArmTemplate.Text(properties.Get("roleDefinitionId"), "roleDefinitionId");
            if (role.EndsWith("/" + QueueDataContributorRoleId, StringComparison.OrdinalIgnoreCase)
                && properties.Get("principalId") is DeploymentTimeValue principal && principals.Contains(principal))
            {
                grants.Add(new QueueGrant(principal, assignment.ExtensionScope));
            }
        }

        return grants;
    }

    [GeneratedRegex("%(?<name>[^%]+)%")]
    private static partial Regex SettingReference();

    [GeneratedRegex("/providers/Microsoft\\.Storage/storageAccounts/[^/]+/queueServices/default/queues/(?<queue>[^/]+)$", RegexOptions.IgnoreCase)]
    private static partial Regex QueueScope();

    private sealed record QueueGrant(DeploymentTimeValue Principal, string Scope);
}
