using System.Globalization;

namespace ConnectEvents.IntegrationTests.Infra;

/// <summary>
/// A parsed ARM template expression (the text between the brackets of <c>"[...]"</c>): a literal, a function call, or a
/// property or index access on another expression.
/// </summary>
public abstract record ArmExpression
{
    /// <summary>A string or integer literal.</summary>
    public sealed record Literal(object Value) : ArmExpression;

    /// <summary>A function call, such as <c>parameters('queueName')</c>.</summary>
    public sealed record FunctionCall(string Name, IReadOnlyList<ArmExpression> Arguments) : ArmExpression;

    /// <summary>A property access, such as <c>.outputs</c>.</summary>
    public sealed record Member(ArmExpression Target, string Name) : ArmExpression;

    /// <summary>An index access, such as <c>[copyIndex()]</c>.</summary>
    public sealed record Index(ArmExpression Target, ArmExpression Key) : ArmExpression;

    /// <summary>Whether a JSON string of a template is an expression (<c>[...]</c>, but not the <c>[[</c> escape).</summary>
    public static bool IsExpression(string text) =>
        text.Length >= 2 && text[0] == '[' && text[^1] == ']' && !text.StartsWith("[[", StringComparison.Ordinal);

    /// <summary>The literal a JSON string stands for when it is not an expression (<c>[[x]</c> is <c>[x]</c>).</summary>
    public static string Unescape(string text) => text.StartsWith("[[", StringComparison.Ordinal) ? text[1..] : text;

    /// <summary>Parses an expression string, brackets included.</summary>
    /// <exception cref="ArmEvaluationException">The text is not an expression the parser understands.</exception>
    public static ArmExpression Parse(string text)
    {
        if (!IsExpression(text))
        {
            throw new ArmEvaluationException($"'{text}' is not a template expression.");
        }

        var parser = new Parser(text, 1, text.Length - 1);
        var expression = parser.Expression();
        parser.SkipSpace();
        if (!parser.AtEnd)
        {
            throw parser.Error("unexpected text after the expression");
        }

        return expression;
    }

    private sealed class Parser(string text, int position, int end)
    {
        private int _position = position;

        public bool AtEnd => _position >= end;

        public ArmExpression Expression()
        {
            SkipSpace();
            var expression = Primary();
            while (true)
            {
                SkipSpace();
                if (Peek('.'))
                {
                    _position++;
                    expression = new Member(expression, Identifier());
                }
                else if (Peek('['))
                {
                    _position++;
                    var key = Expression();
                    Expect(']');
                    expression = new Index(expression, key);
                }
                else
                {
                    return expression;
                }
            }
        }

        public void SkipSpace()
        {
            while (!AtEnd && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
        }

        public ArmEvaluationException Error(string reason) =>
            new($"Cannot parse the template expression {text}: {reason} at position {_position}.");

        private ArmExpression Primary()
        {
            if (AtEnd)
            {
                throw Error("the expression ends early");
            }

            var c = text[_position];
            if (c == '\'')
            {
                return new Literal(StringLiteral());
            }

            if (char.IsAsciiDigit(c) || c == '-')
            {
                var start = _position++;
                while (!AtEnd && char.IsAsciiDigit(text[_position]))
                {
                    _position++;
                }

                return new Literal(long.Parse(text.AsSpan(start, _position - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
            }

            var name = Identifier();
            SkipSpace();
            Expect('(');
            var arguments = new List<ArmExpression>();
            SkipSpace();
            if (Peek(')'))
            {
                _position++;
                return new FunctionCall(name, arguments);
            }

            while (true)
            {
                arguments.Add(Expression());
                SkipSpace();
                if (Peek(','))
                {
                    _position++;
                    continue;
                }

                Expect(')');
                return new FunctionCall(name, arguments);
            }
        }

        private string StringLiteral()
        {
            _position++; // the opening quote
            var value = new System.Text.StringBuilder();
            while (true)
            {
                if (AtEnd)
                {
                    throw Error("a string literal is not closed");
                }

                var c = text[_position++];
                if (c != '\'')
                {
                    value.Append(c);
                }
                else if (Peek('\''))
                {
                    value.Append('\''); // '' is an escaped quote
                    _position++;
                }
                else
                {
                    return value.ToString();
                }
            }
        }

        private string Identifier()
        {
            var start = _position;
            while (!AtEnd && (char.IsAsciiLetterOrDigit(text[_position]) || text[_position] is '_' or '$'))
            {
                _position++;
            }

            if (_position == start)
            {
                throw Error("expected a name");
            }

            return text[start.._position];
        }

        private bool Peek(char c) => !AtEnd && text[_position] == c;

        private void Expect(char c)
        {
            SkipSpace();
            if (!Peek(c))
            {
                throw Error($"expected '{c}'");
            }

            _position++;
        }
    }
}
