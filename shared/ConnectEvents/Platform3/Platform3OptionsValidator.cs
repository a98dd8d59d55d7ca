using Microsoft.Extensions.Options;

namespace ConnectEvents.Platform3;

/// <summary>The [Range] checks of <see cref="Platform3Options"/>, source-generated (no reflection).</summary>
[OptionsValidator]
public sealed partial class Platform3OptionsValidator : IValidateOptions<Platform3Options>;
