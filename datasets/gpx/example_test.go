package gpx_test

import (
	"fmt"
	"strings"

	"github.com/tfm-course/course/datasets/gpx"
)

func ExampleRead() {
	doc := `<gpx version="1.1" creator="x"><trk><name>Commute</name><type>bike</type><trkseg>
<trkpt lat="47.6445" lon="-122.3265"><time>2009-10-17T18:37:26Z</time></trkpt>
<trkpt lat="47.6446" lon="-122.3266"><time>2009-10-17T18:37:31Z</time></trkpt>
</trkseg></trk></gpx>`
	ds, err := gpx.Read(strings.NewReader(doc), "commute.gpx", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	t := ds.Trajectories[0]
	fmt.Println(t.ID, t.Mode, t.Labels["name"], t.Len(), "points")
	// Output: commute/1.1 bike Commute 2 points
}
