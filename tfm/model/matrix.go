package model

import (
	"fmt"
	"math"
)

// Matrix is a dense row-major float32 matrix: Rows embeddings of Cols
// dimensions (row i is Data[i*Cols:(i+1)*Cols]).
type Matrix struct {
	Rows, Cols int
	Data       []float32
}

// NewMatrix copies rows (all of the same length) into a Matrix.
func NewMatrix(rows [][]float32) (Matrix, error) {
	if len(rows) == 0 {
		return Matrix{}, fmt.Errorf("model: no rows")
	}
	m := Matrix{Rows: len(rows), Cols: len(rows[0]), Data: make([]float32, 0, len(rows)*len(rows[0]))}
	for i, r := range rows {
		if len(r) != m.Cols {
			return Matrix{}, fmt.Errorf("model: row %d has %d values, want %d", i, len(r), m.Cols)
		}
		m.Data = append(m.Data, r...)
	}
	return m, nil
}

// Row returns row i (shares storage).
func (m Matrix) Row(i int) []float32 { return m.Data[i*m.Cols : (i+1)*m.Cols] }

// RowsSlice returns the rows as slices sharing storage.
func (m Matrix) RowsSlice() [][]float32 {
	r := make([][]float32, m.Rows)
	for i := range r {
		r[i] = m.Row(i)
	}
	return r
}

// Check verifies the shape and that every value is finite.
func (m Matrix) Check() error {
	if len(m.Data) != m.Rows*m.Cols {
		return fmt.Errorf("model: matrix has %d values, want %d×%d", len(m.Data), m.Rows, m.Cols)
	}
	for i, v := range m.Data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("model: matrix row %d column %d is %v", i/m.Cols, i%m.Cols, v)
		}
	}
	return nil
}
