package figures
import ("testing";"fmt";"time";"math/rand/v2";"github.com/tfm-course/course/datasets/synth";"github.com/tfm-course/course/tfm/modality/image";"github.com/tfm-course/course/tfm/traj")
func TestProbe(t *testing.T){
 cfg:=synth.DefaultConfig(); cfg.Trajectories=150
 city,_:=synth.Generate(cfg)
 all:=city.Dataset().Trajectories
 rng:=rand.New(rand.NewPCG(1,2)); rng.Shuffle(len(all), func(i,j int){all[i],all[j]=all[j],all[i]})
 n:=len(all)*8/10; train,test:=all[:n],all[n:]
 labelsOf := func(ts []*traj.Trajectory) []int32 { y := make([]int32, len(ts)); for i, t := range ts { if t.Mode == "bus" || t.Mode == "car" { y[i] = 1 } }; return y }
 for _, ms := range []float64{30, 15} { for _, steps := range []int{40, 100} {
 r:=image.New(24,24); r.MaxSpeed=ms
 trB,_:=r.Batch(train); teB,_:=r.Batch(test)
 st:=time.Now()
 losses,predict,err:=TrainImageClassifier(trB, labelsOf(train), 2, steps, 32, 1)
 if err!=nil{t.Fatal(err)}
 pred,_:=predict(teB); y:=labelsOf(test); c,f:=0,0
 for i:=range pred{ if pred[i]==y[i]{c++}; f+=int(y[i])}
 fmt.Println("maxspeed",ms,"steps",steps,time.Since(st),"loss",losses[0],losses[len(losses)-1],"acc",c,len(y),"fast",f)
 }}
}
