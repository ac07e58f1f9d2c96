using Harness.Conformance.Running;

namespace Harness.Conformance.Tests.Runner;

public sealed class TagExpressionTests
{
    [Theory]
    [InlineData("", true)]
    [InlineData("@finance", true)]
    [InlineData("@providers", false)]
    [InlineData("@finance and @idempotency", true)]
    [InlineData("@finance and not @idempotency", false)]
    [InlineData("@providers or @idempotency", true)]
    [InlineData("not (@providers or @concurrency)", true)]
    [InlineData("@providers or @finance and not @idempotency", false)]
    public void Selects_by_cucumber_tag_expression(string expression, bool selected) =>
        Assert.Equal(selected, TagExpression.Parse(expression).Matches(["@finance", "idempotency"]));

    [Theory]
    [InlineData("finance")]
    [InlineData("@a and")]
    [InlineData("(@a or @b")]
    public void Rejects_malformed_expressions(string expression) =>
        Assert.Throws<FormatException>(() => TagExpression.Parse(expression));
}
