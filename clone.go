package drainsim

import (
	"fmt"
	"reflect"

	"github.com/drainsim/drainsim/model"
)

// New returns a scenario built in code from cfg, which it copies deeply
// (later changes to cfg's slices and pointers do not reach the scenario).
// Start cfg from model.Default, which sets what a TOML scenario would
// omit, then set at least a fleet, a traffic class and a scale-in:
//
//	cfg := model.Default()
//	cfg.Fleet.Targets = 10
//	cfg.Traffic = []model.Traffic{{Rate: 50, Duration: model.Distribution{Distribution: model.LogNormal, Median: time.Second, P99: 10 * time.Second}}}
//	cfg.ScaleIn = []model.ScaleIn{{At: 10 * time.Minute, Targets: 2}}
//	s, err := drainsim.New(cfg)
//
// It validates the copy as Run and Sweep would: an invalid field gives an
// error wrapping an *[InvalidError], one [Error] per problem.
func New(cfg model.Config) (*Scenario, error) {
	c := cloneConfig(&cfg)
	if err := invalid(c.Validate()); err != nil {
		name := "scenario"
		if c.Name != "" {
			name = fmt.Sprintf("scenario %q", c.Name)
		}
		return nil, fmt.Errorf("new %s: %w", name, err)
	}
	return &Scenario{Config: c}, nil
}

// Clone returns a deep copy of s: its Config and everything the Config
// points to (traffic classes, scale-in events, retry policies, the sweep
// grid …) are new, so changing the copy, its slices included, leaves s
// as it was. A plain struct copy (*s, or &Scenario{Config: s.Config})
// would share them. Clone of a nil Scenario or one without a Config is a
// Scenario without a Config.
func (s *Scenario) Clone() *Scenario {
	if s == nil || s.Config == nil {
		return &Scenario{}
	}
	return &Scenario{Config: cloneConfig(s.Config)}
}

// cloneConfig returns a deep copy of c.
func cloneConfig(c *model.Config) *model.Config {
	out := new(model.Config)
	deepCopy(reflect.ValueOf(out).Elem(), reflect.ValueOf(c).Elem())
	return out
}

// deepCopy sets dst, which is settable, to a deep copy of src: pointers,
// slices and maps are copied rather than shared, recursively. It works
// from the types, so a field added to model.Config later is copied too.
// Unexported fields are copied as the struct assignment copies them (the
// configuration types have none that point anywhere; TestCloneNoAlias
// checks).
func deepCopy(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			dst.SetZero()
			return
		}
		p := reflect.New(src.Type().Elem())
		deepCopy(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Slice:
		if src.IsNil() {
			dst.SetZero()
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			deepCopy(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Map:
		if src.IsNil() {
			dst.SetZero()
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		it := src.MapRange()
		for it.Next() {
			v := reflect.New(src.Type().Elem()).Elem()
			deepCopy(v, it.Value())
			m.SetMapIndex(it.Key(), v)
		}
		dst.Set(m)
	case reflect.Struct:
		dst.Set(src) // unexported fields too
		for i := range src.NumField() {
			if dst.Field(i).CanSet() {
				deepCopy(dst.Field(i), src.Field(i))
			}
		}
	case reflect.Array:
		for i := range src.Len() {
			deepCopy(dst.Index(i), src.Index(i))
		}
	default:
		dst.Set(src)
	}
}
