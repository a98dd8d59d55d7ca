using System.Text;
using ConnectEvents.Sessions;

namespace ConnectEvents.UnitTests.Sessions;

/// <summary>Hostile text and JSON shapes on the session and token routes, refused with the field named.</summary>
public sealed class ClientSessionValidationTests
{
    [Theory]
    [InlineData("alice")]
    [InlineData("Jane Doe-42")]
    [InlineData("caf\u00e9")]
    [InlineData("\U0001F600 emoji")]
    public void OrdinaryReferencesAreAccepted(string reference) => Assert.Null(ClientSessionValidation.CustomerReferenceProblem(reference));

    [Theory]
    [InlineData(" alice")]
    [InlineData("alice ")]
    [InlineData("alice\u00a0")]
    [InlineData("ali\u00adce")]
    [InlineData("ali\u200bce")]
    [InlineData("\u200ealice")]
    [InlineData("\u200falice")]
    [InlineData("\u202aalice")]
    [InlineData("alice\u202e")]
    [InlineData("\u2066alice")]
    [InlineData("alice\u2069")]
    [InlineData("\ufeffalice")]
    [InlineData("\u061calice")]
    [InlineData("ali\u0000ce")]
    [InlineData("ali\u0085ce")]
    [InlineData("ali\u2028ce")]
    [InlineData("ali\ud800ce")]
    [InlineData("alice\udc00")]
    [InlineData("ali\ufffdce")]
    [InlineData("")]
    public void HostileReferencesAndTokenIdsAreRefused(string value)
    {
        Assert.NotNull(ClientSessionValidation.CustomerReferenceProblem(value));
        Assert.NotNull(ClientSessionValidation.TokenIdProblem(value));
    }

    [Theory]
    [InlineData("""{"customerReference":"a","customerReference":"alice"}""", "customerReference")]
    [InlineData("""{"customerReference":"a","customer\u0052eference":"alice"}""", "customerReference")]
    [InlineData("""{"customerReference":"a","paymentProductFilters":{"restrictTo":{"groups":["x"]},"RESTRICTTO":{}}}""", "paymentProductFilters.RESTRICTTO")]
    [InlineData("""{"customerReference":"a","x":[{"k":1,"k":2}]}""", "x.k")]
    [InlineData("""{"customerReference":"a","merchantId":"1234"}""", "merchantId")]
    [InlineData("""{"customerReference":"ali\uDBFFce"}""", "customerReference")]
    [InlineData("""{"customerReference":"a"} trailing""", "body")]
    public void HostileJsonIsRefusedNamingTheField(string json, string field)
    {
        var problem = ClientSessionValidation.Read(Encoding.UTF8.GetBytes(json), out var request);

        Assert.NotNull(problem);
        Assert.Equal(400, problem.Status);
        Assert.True(problem.Errors!.ContainsKey(field), string.Join(", ", problem.Errors.Keys));
        Assert.Null(request);
    }

    [Fact]
    public void AWellFormedRequestIsRead()
    {
        var problem = ClientSessionValidation.Read("""{"customerReference":"alice","paymentProductFilters":{"exclude":{"products":[1,2]}}}"""u8, out var request);

        Assert.Null(problem);
        Assert.Equal("alice", request!.CustomerReference);
        Assert.Equal([1, 2], request.PaymentProductFilters!.Exclude!.Products!);
    }
}
