package download_test

import (
	"fmt"

	"github.com/tfm-course/course/datasets/download"
)

func ExampleManual() {
	src, _ := download.Lookup("porto")
	fmt.Print(download.Manual(src, "data"))
	// Output:
	// To get Taxi Service Trajectory, ECML/PKDD 2015 challenge (Porto, 442 taxis, 1.7 million trips) by hand:
	//   page:    https://archive.ics.uci.edu/dataset/339/taxi+service+trajectory+prediction+challenge+ecml+pkdd+2015 (also https://www.kaggle.com/c/pkdd-15-predict-taxi-service-trajectory-i/data)
	//   file:    https://archive.ics.uci.edu/static/public/339/taxi+service+trajectory+prediction+challenge+ecml+pkdd+2015.zip
	//   save as: data/porto.zip
	//   licence: CC BY 4.0 (UCI Machine Learning Repository).
	// then unzip it in data and run: tfm data stats --format porto "data/train.csv"
}
