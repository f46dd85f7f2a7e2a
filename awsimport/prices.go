package awsimport

// PriceSource dates the price table and names its source. The figures
// are on-demand, Linux, shared tenancy, USD per hour; a scenario's
// fleet.price_per_hour overrides them.
const PriceSource = "AWS EC2 and Fargate on-demand pricing pages, Linux, as of 2025-06; check them for your account's prices"

// instancePrices are on-demand Linux prices per hour by region and type.
// us-east-1 and us-west-2 list the same prices for these families.
var instancePrices = map[string]map[string]float64{
	"us-east-1": usEast1,
	"us-west-2": usEast1,
}

var usEast1 = map[string]float64{
	"t3.micro": 0.0104, "t3.small": 0.0208, "t3.medium": 0.0416, "t3.large": 0.0832, "t3.xlarge": 0.1664,
	"m5.large": 0.096, "m5.xlarge": 0.192, "m5.2xlarge": 0.384, "m5.4xlarge": 0.768,
	"m6i.large": 0.096, "m6i.xlarge": 0.192, "m6i.2xlarge": 0.384,
	"m7i.large": 0.1008, "m7i.xlarge": 0.2016,
	"m6g.large": 0.077, "m6g.xlarge": 0.154, "m7g.large": 0.0816, "m7g.xlarge": 0.1632,
	"c5.large": 0.085, "c5.xlarge": 0.17, "c5.2xlarge": 0.34,
	"c6i.large": 0.085, "c6i.xlarge": 0.17, "c6g.large": 0.068, "c6g.xlarge": 0.136,
	"c7g.large": 0.0725, "c7g.xlarge": 0.145,
	"r5.large": 0.126, "r5.xlarge": 0.252, "r6i.large": 0.126, "r6g.large": 0.1008,
}

// fargatePrices are Fargate Linux/x86 prices: per vCPU-hour and per
// GB-hour.
var fargatePrices = map[string][2]float64{
	"us-east-1": {0.04048, 0.004445},
	"us-west-2": {0.04048, 0.004445},
}

// InstancePrice returns the on-demand price per hour of an instance type
// in a region, and whether the table has it.
func InstancePrice(region, instanceType string) (float64, bool) {
	p, ok := instancePrices[region][instanceType]
	return p, ok
}

// fargatePrice prices a Fargate task of vcpu vCPUs and gb GB.
func fargatePrice(region string, vcpu, gb float64) (float64, bool) {
	p, ok := fargatePrices[region]
	if !ok {
		return 0, false
	}
	return vcpu*p[0] + gb*p[1], true
}
