// Package scenarios reads drainsim scenarios from TOML and holds the
// built-in ones.
//
// A scenario file sets the keys of [model.Config]; what it omits keeps the
// value of [model.Default]. Durations are strings with a unit ("90s",
// "5m", "1h30m"). An example, the built-in "payments-api":
//
//	name = "payments-api"
//	description = "REST payments API behind an ALB; requests take 2-5 s"
//	[load_balancer]
//	type = "alb"
//	[target_group]
//	deregistration_delay = "60s"
//	[fleet]
//	targets = 10
//	[[traffic]]
//	name = "api"
//	rate = 200
//	duration = { distribution = "lognormal", median = "2s", p99 = "5s" }
//	[[scale_in]]
//	at = "10m"
//	targets = 2
//
// The loader is strict, because a silently ignored key is a wrong answer:
// unknown keys, values of the wrong type, durations without a unit and
// every problem [model.Config.Validate] finds are errors. Each problem is
// an *[Error] that names the file, the line and column of the key (or of
// its table when the key is absent), and the key path, such as
//
//	api.toml:7:42: traffic[0].duration.median: a duration needs a unit, e.g. "2s" (got 2)
//
// [Parse], [Load], [Builtin] and [Open] return all of a scenario's
// problems at once as [Errors]; a file that cannot be read at all is a
// plain error wrapping the *[fs.PathError].
//
// An empirical duration distribution reads its samples from a text file
// next to the scenario, one duration in seconds per line:
//
//	duration = { distribution = "empirical", file = "durations.txt" }
//
// [Names] lists the built-in scenarios, [Describe] says what each is, and
// [Open] takes either a built-in's name or a file's path, as a command
// line does.
package scenarios
