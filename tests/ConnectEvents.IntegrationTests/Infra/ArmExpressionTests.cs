using System.Text.Json;

namespace ConnectEvents.IntegrationTests.Infra;

/// <summary>The template expression evaluator the queue check rests on: ARM's results for what it knows, a loud stop for the rest.</summary>
public sealed class ArmExpressionTests
{
    [Theory]
    [InlineData("[format('{0}-poison', 'q')]", "q-poison")]
    [InlineData("[concat('a', 'b', string(1))]", "ab1")]
    [InlineData("[string(not(empty('')))]", "False")]
    [InlineData("[if(equals(parameters('name'), 'x'), 'yes', 'no')]", "yes")]
    [InlineData("[toLower('ABC')]", "abc")]
    [InlineData("[createArray('a', 'b')[1]]", "b")]
    [InlineData("[createObject('k', 'v').k]", "v")]
    [InlineData("[format('{0}{{1}}', 'it''s')]", "it's{1}")]
    [InlineData("[[not an expression]", "[not an expression]")]
    [InlineData("[string(length(flatten(map(createArray('a', 'b'), lambda('n', createArray(lambdaVariables('n'), format('{0}-poison', lambdaVariables('n'))))))))]", "4")]
    [InlineData("[string(add(mul(3, 4), div(7, 2)))]", "15")]
    [InlineData("[string(min(40, div(25, 2)))]", "12")]
    [InlineData("[string(max(1, div(2, 3)))]", "1")]
    [InlineData("[resourceId('Microsoft.Storage/storageAccounts/queueServices/queues', 'st', 'default', 'q')]", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st/queueServices/default/queues/q")]
    public void KnownFunctionsGiveArmsResults(string expression, string expected) =>
        Assert.Equal(expected, Evaluate(expression));

    [Fact]
    public void OnlyTheTakenBranchOfIfIsEvaluated() =>
        Assert.Equal("a", Evaluate("[if(true(), 'a', base64('never'))]"));

    [Theory]
    [InlineData("[base64('x')]", "'base64'")]
    [InlineData("[parameters('missing')]", "no parameter 'missing'")]
    [InlineData("[empty(reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id')).principalId)]", "which only the deployment knows")]
    [InlineData("[format('{0:N2}', 1)]", "placeholder other than {n}")]
    [InlineData("[copyIndex()]", "outside a copy loop")]
    [InlineData("[div(1, 0)]", "by zero")]
    [InlineData("[min('a', 1)]", "only on integers")]
    public void AnythingElseStopsTheEvaluationNamingIt(string expression, string reason)
    {
        var error = Assert.Throws<ArmEvaluationException>(() => Evaluate(expression));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Contains(expression, error.Message, StringComparison.Ordinal);
    }

    private static object? Evaluate(string expression)
    {
        using var template = JsonDocument.Parse("""{ "parameters": { "name": { "type": "string" } } }""");
        var bound = new ArmTemplate(template.RootElement, new Dictionary<string, Func<object?>> { ["name"] = () => "x" }, new ArmScope("s", "rg"));
        return bound.Evaluate(expression, ArmFrame.Root);
    }
}
