// Package awsimport reads a target group's settings, the Auto Scaling
// group or ECS service behind it and its CloudWatch metrics through the
// AWS SDK for Go v2, and writes a commented drainsim scenario (TOML) in
// which every value names the API call and field it came from, and
// everything that could not be read is listed with the default used.
//
// It is kept apart from the library so that importing drainsim does not
// pull in the SDK: only cmd/drainsim depends on it. It prints nothing;
// errors a user can act on are [*Error] values.
package awsimport
